// services.requests: the only code that changes a change request's status (issue 15). Authors draft, edit and
// submit; others approve, reject or send back (request-decisions.ts). Every status change commits with its
// audit entry in one transaction; the apply and the revert are claimed once (repository `transition`) and
// then handed to the applier (request-apply.ts), which runs them as jobs.
import type { Transact, Transaction } from '../../db/transaction.js';
import type { Row } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { AuditAction, RequestEventDetails } from '../audit/audit-events.js';
import type { AuditService } from '../audit/audit-service.js';
import { columnsWritten, type RowChange } from '../changes/row-change.js';
import type { OrgView } from '../orgs/org-service.js';
import type { DataTableGateway } from '../../genesys/gateway.js';
import type { UserTable } from '../tables/table-service.js';
import { assertMayWrite } from '../tables/write-rights.js';
import { canonicalChange, formatRefusal } from '../formats/format-enforcement.js';
import type { TableFormats } from '../formats/format-types.js';
import type { NewRequestRow, RequestFilter, RequestRepository } from './request-repository.js';
import {
  assertAuthor,
  assertEditable,
  assertSchedulable,
  assertStatus,
  checkedSchedule,
  requestDetails,
  text,
  type Schedule,
} from './request-rules.js';
import { type ChangePolicy, type ChangeRequestWithRows, type HeldPhase } from './request-types.js';
import {
  assertMaySee,
  maskedFor,
  maySeeRequest,
  NO_SUCH_REQUEST,
  onceEach,
  viewerTables,
  type RequestView,
} from './request-view.js';
import { createRequestDecisions } from './request-decisions.js';
import { createRequestPlaybooks, type PlaybookPublisher } from './request-playbooks.js';

/** Starts the apply or revert job of a request already claimed (status applying / reverting). */
export interface ApplyStarter {
  start(requestId: string, phase: HeldPhase): Promise<unknown>;
}

export interface RequestServiceDeps {
  repo: RequestRepository;
  tables: {
    open(actor: Actor, org: OrgView, tableId: string): Promise<UserTable & { gateway: DataTableGateway }>;
    keyHandle(orgId: string, tableId: string, key: string): string;
    /** The table's rows read fresh (one paged read): `original` for many changes to one table. */
    rows(actor: Actor, org: OrgView, tableId: string, opts: { refresh: true }): Promise<{ rows: readonly Row[] }>;
  };
  orgs: { get(id: string): Promise<OrgView> };
  /** Column formats (format-service `forTable`): a drafted value breaking one is refused at once. */
  formatsFor(orgId: string, tableId: string): Promise<TableFormats>;
  policies: { forTables(org: OrgView, tableIds: string[]): Promise<ChangePolicy> };
  audit: AuditService;
  transact: Transact;
  clock: Clock;
  /** Late-bound: the applier's jobs use the engine and this repository, built after the service. */
  applier: () => ApplyStarter;
  /** Late-bound: publishes a playbook's approved content (the playbook service is built after this one). */
  playbooks: () => PlaybookPublisher;
}

const MAX_TITLE = 200;
/** Changes to one table from which reading the whole table (pages of 500) beats a read per row. */
const READ_TABLE_FROM = 5;
const DOING = 'This change request';

const sameValue = (a: Row[string] | undefined, b: Row[string] | undefined) => JSON.stringify(a) === JSON.stringify(b);

export function createRequestService(deps: RequestServiceDeps) {
  const { repo, audit, transact, clock } = deps;

  async function load(id: string, tx?: Transaction): Promise<ChangeRequestWithRows> {
    const req = await repo.get(id, tx);
    if (!req) throw new NotFoundError(NO_SUCH_REQUEST);
    return req;
  }

  /** The request as `actor` may see it (404 for anyone who may not see it at all). */
  async function view(actor: Actor, req: ChangeRequestWithRows): Promise<RequestView> {
    const seen = await viewerTables(deps.tables, actor, await deps.orgs.get(req.orgId), tableIdsOf(req));
    assertMaySee(actor, req, seen);
    return maskedFor(req, seen, deps.tables.keyHandle);
  }

  const tableIdsOf = (req: ChangeRequestWithRows) => req.rows.map((r) => r.tableId);

  async function record(
    action: Extract<AuditAction, `request.${string}`>,
    actor: Actor,
    req: ChangeRequestWithRows,
    tx: Transaction,
    extra: Partial<RequestEventDetails> & { reason?: string | null } = {},
  ): Promise<void> {
    const { reason, ...details } = extra;
    await audit.record(
      { action, orgId: req.orgId, reason: reason ?? null, details: requestDetails(req, details) },
      actor,
      tx,
    );
  }

  /**
   * Claims the apply (approved → applying) or the revert (applied → reverting) once, then starts its job. A
   * claim lost to someone else (a racing approval, the scheduler) starts nothing; a job that fails to start
   * leaves the request held, for a person to confirm once the cause is fixed (never "applying" with no job).
   */
  async function start(id: string, phase: HeldPhase, from: readonly ('approved' | 'applied' | 'held')[]) {
    // A playbook's new content is published once approved, never written to Genesys (request-playbooks.ts).
    if (phase === 'apply' && (await playbooks.publishIfPlaybookContent(id))) return true;
    const to = phase === 'apply' ? 'applying' : 'reverting';
    if (!(await repo.transition(id, from, to, { heldPhase: null, heldReason: null }))) return false;
    try {
      await deps.applier().start(id, phase);
    } catch (err) {
      const why = err instanceof Error && 'expose' in err && err.expose ? err.message : 'an unexpected error';
      await repo.transition(id, [to], 'held', {
        heldPhase: phase,
        heldReason: `Could not start the ${phase}: ${why}. Confirm to try again.`,
      });
      throw err;
    }
    return true;
  }

  /** Each change as a request row: the row's values now (`original`), checked against the author's rights. */
  async function rowsOf(actor: Actor, org: OrgView, changes: RowChange[]): Promise<NewRequestRow[]> {
    const opened = new Map<string, UserTable & { gateway: DataTableGateway }>();
    // A bulk change saved as a request: one read of its table instead of a call per row.
    const wholeTables = new Map<string, Map<string, Row>>();
    for (const tableId of new Set(changes.map((c) => c.tableId)))
      if (changes.filter((c) => c.tableId === tableId).length >= READ_TABLE_FROM) {
        const { rows } = await deps.tables.rows(actor, org, tableId, { refresh: true });
        wholeTables.set(tableId, new Map(rows.map((row) => [String(row.key), row])));
      }
    const out: NewRequestRow[] = [];
    const formats = new Map<string, TableFormats>();
    for (const asked of changes) {
      let t = opened.get(asked.tableId);
      if (!t) opened.set(asked.tableId, (t = await deps.tables.open(actor, org, asked.tableId)));
      assertMayWrite(t, asked.kind, columnsWritten(asked), DOING);
      // The values as the engine will write them (canonical form), refused now with its message if one breaks
      // its column's format; the engine checks again at apply (a format may be set meanwhile).
      if (!formats.has(asked.tableId)) formats.set(asked.tableId, await deps.formatsFor(org.id, asked.tableId));
      const rules = { formats: formats.get(asked.tableId)!, schema: t.table.schema, visible: t.columns };
      const c = canonicalChange(asked, rules);
      const whole = wholeTables.get(c.tableId);
      const current = whole ? (whole.get(c.key) ?? null) : await t.gateway.getRow(c.tableId, c.key);
      if (c.kind === 'create' && current)
        throw new ConflictError(`${t.table.name} already has a row with that key: request a change to it instead.`);
      if (c.kind !== 'create' && !current) throw new NotFoundError(`That row no longer exists in ${t.table.name}.`);
      // Only the columns it really changes: the apply expects the others as nobody's business of this request.
      const write =
        c.kind === 'update'
          ? Object.fromEntries(Object.entries(c.write).filter(([col, v]) => !sameValue(current![col], v)))
          : c.kind === 'create'
            ? c.write
            : null;
      if (write && Object.keys(write).length === 0) continue;
      const refusal = write && formatRefusal(rules, c.kind === 'create' ? null : current, { ...current, ...write });
      if (refusal) throw refusal;
      out.push({
        tableId: c.tableId,
        tableName: t.table.name,
        key: c.key,
        kind: c.kind,
        original: current,
        requested: write,
        editedById: actor.userId,
        editedBy: actor.name,
      });
    }
    const seen = new Set<string>();
    for (const r of out) {
      const k = `${r.tableId}\u0000${r.key}`;
      if (seen.has(k)) throw new ValidationError(`${DOING} changes the same row of ${r.tableName} twice.`);
      seen.add(k);
    }
    return out;
  }

  const decisions = createRequestDecisions({ deps, load, view, record, start, tableIdsOf });
  const playbooks = createRequestPlaybooks({ deps, load, view, record, start, tableIdsOf, publisher: deps.playbooks });

  return {
    /**
     * Saves changes as a draft request instead of applying them (or adds them to the author's own draft or
     * sent-back request: `addTo`). The rows' current values are kept as `original`, what the apply expects.
     */
    async draft(
      actor: Actor,
      org: OrgView,
      changes: RowChange[],
      opts: { title?: string; reason?: string; addTo?: string },
    ): Promise<RequestView> {
      checkedSchedule(org, {}, clock.now()); // a read-only org takes no request at all
      const rows = await rowsOf(actor, org, changes);
      if (rows.length === 0) throw new ValidationError('Nothing to request: these changes change nothing.');
      const id = await transact(async (tx) => {
        if (opts.addTo) {
          const req = await load(opts.addTo, tx);
          assertAuthor(actor, req, 'add changes to');
          if (req.orgId !== org.id) throw new ValidationError('That change request is for another org.');
          assertEditable(req);
          const taken = new Set(req.rows.map((r) => `${r.tableId}\u0000${r.key}`));
          if (rows.some((r) => taken.has(`${r.tableId}\u0000${r.key}`)))
            throw new ValidationError('That change request already changes one of these rows: edit it there.');
          await repo.addRows(req.id, rows, tx);
          await repo.update(req.id, { version: req.version + 1 }, tx); // R1: what was approved is not this
          await record('request.edited', actor, await load(req.id, tx), tx, { edited: rows.length });
          return req.id;
        }
        const created = await repo.create(
          {
            orgId: org.id,
            title: text(opts.title, 'title', 'A title', true, MAX_TITLE),
            reason: text(opts.reason, 'reason', 'The reason', org.requireReason),
            authorId: actor.userId,
            authorName: actor.name,
            rows,
          },
          tx,
        );
        await record('request.created', actor, created, tx);
        return created.id;
      });
      return view(actor, await load(id));
    },

    async get(actor: Actor, id: string): Promise<RequestView> {
      return view(actor, await load(id));
    },

    /** Requests `actor` may see, newest first, masked for them (drafts only their own). */
    async list(actor: Actor, filter: Omit<RequestFilter, 'ids' | 'take'> = {}): Promise<RequestView[]> {
      const out: RequestView[] = [];
      const once = onceEach(deps.tables, deps.orgs); // many requests, the same few tables: each opened once
      for (const req of await repo.listWithRows({ ...filter, take: 200 })) {
        const seen = await viewerTables(once.tables, actor, await once.org(req.orgId), tableIdsOf(req));
        if (maySeeRequest(actor, req, seen)) out.push(maskedFor(req, seen, deps.tables.keyHandle));
      }
      return out;
    },

    /**
     * Sends a request for approval with its schedule. The approvals it needs are fixed now from its tables'
     * policies (the strictest); none needed: approved at once, and applied now when it has no apply time.
     */
    async submit(actor: Actor, id: string, schedule: Schedule = {}): Promise<RequestView> {
      const req = await load(id);
      assertAuthor(actor, req, 'submit');
      assertStatus(req, ['draft', 'changes_requested'], 'submitted');
      const org = await deps.orgs.get(req.orgId);
      const when = checkedSchedule(org, schedule, clock.now());
      assertSchedulable(req, when);
      if (req.rows.length === 0) throw new ValidationError('This change request has no changes: add one first.');
      await rowsCheck(actor, org, req);
      const policy = await deps.policies.forTables(org, tableIdsOf(req));
      const needed = policy.mode === 'approval' ? policy.approvalsNeeded : 0;
      const now = new Date(clock.now());
      const approved = await transact(async (tx) => {
        const fresh = await load(id, tx);
        const to = needed === 0 ? 'approved' : 'submitted';
        const changed =
          fresh.applyAt?.getTime() !== when.applyAt?.getTime() ||
          fresh.revertAt?.getTime() !== when.revertAt?.getTime();
        const ok = await repo.transition(
          id,
          ['draft', 'changes_requested'],
          to,
          {
            ...when,
            approvalsNeeded: needed,
            submittedAt: now,
            version: fresh.version + (changed && fresh.status !== 'draft' ? 1 : 0),
          },
          tx,
        );
        if (!ok) throw new ConflictError('This change request changed while you submitted it: open it again.');
        await record('request.submitted', actor, await load(id, tx), tx);
        return to === 'approved';
      });
      if (approved && (!when.applyAt || when.applyAt.getTime() <= clock.now())) await start(id, 'apply', ['approved']);
      return view(actor, await load(id));
    },

    /** The author changes one row's values while the request is editable: a new version, approvals dropped (R1). */
    async editRow(actor: Actor, id: string, rowId: number, values: Row): Promise<RequestView> {
      const first = await load(id);
      const tableId = first.rows.find((r) => r.id === rowId)?.tableId;
      if (!tableId) throw new NotFoundError('That row is not part of this change request.');
      // Opened before the transaction: it may ask Genesys for the table list (no network call inside one).
      const t = await deps.tables.open(actor, await deps.orgs.get(first.orgId), tableId);
      await transact(async (tx) => {
        const req = await load(id, tx);
        assertAuthor(actor, req, 'edit');
        assertEditable(req);
        const row = req.rows.find((r) => r.id === rowId);
        if (!row) throw new NotFoundError('That row is not part of this change request.');
        if (row.kind === 'delete')
          throw new ValidationError('A deletion has no values to edit: remove the row instead.');
        const requested = { ...row.requested, ...values };
        assertMayWrite(t, row.kind, Object.keys(requested), DOING);
        await repo.updateRow(rowId, { requested, editedById: actor.userId, editedBy: actor.name }, tx);
        await repo.update(id, { version: req.version + 1 }, tx);
        await record('request.edited', actor, await load(id, tx), tx, { edited: 1 });
      });
      return view(actor, await load(id));
    },

    async removeRow(actor: Actor, id: string, rowId: number): Promise<RequestView> {
      await transact(async (tx) => {
        const req = await load(id, tx);
        assertAuthor(actor, req, 'edit');
        assertEditable(req);
        if (!(await repo.removeRow(id, rowId, tx)))
          throw new NotFoundError('That row is not part of this change request.');
        await repo.update(id, { version: req.version + 1 }, tx);
        await record('request.edited', actor, await load(id, tx), tx, { edited: 1 });
      });
      return view(actor, await load(id));
    },

    async setSchedule(actor: Actor, id: string, schedule: Schedule): Promise<RequestView> {
      const org = await deps.orgs.get((await load(id)).orgId);
      const when = checkedSchedule(org, schedule, clock.now());
      await transact(async (tx) => {
        const req = await load(id, tx);
        assertAuthor(actor, req, 'reschedule');
        assertEditable(req);
        assertSchedulable(req, when);
        await repo.update(id, { ...when, version: req.version + 1 }, tx);
        await record('request.edited', actor, await load(id, tx), tx);
      });
      return view(actor, await load(id));
    },

    /** How many submitted requests wait for `actor`'s approval (the top bar's badge). */
    async waitingCount(actor: Actor): Promise<number> {
      return (await decisions.waiting(actor)).length;
    },

    ...decisions,
    ...playbooks,
  };

  /** The author may still make every change (rights can change between drafting and submitting). */
  async function rowsCheck(actor: Actor, org: OrgView, req: ChangeRequestWithRows): Promise<void> {
    for (const r of req.rows) {
      const t = await deps.tables.open(actor, org, r.tableId);
      assertMayWrite(t, r.kind, Object.keys(r.requested ?? {}), DOING);
    }
  }
}
