// services.imports: a spreadsheet into an existing table. The dry run reads the uploaded file (import-parse.ts),
// maps its columns (auto, or as the person chose) and plans it against the table as this person may see and
// change it (import-plan.ts), and keeps the result as an ImportDraft for 24 hours: nothing is written to
// Genesys. Only the person who made a draft finds it (anyone else's id is "not found", R8). Applying it starts
// a job of kind `import` (import-apply.ts), or, where the table's policy needs approval, saves its changes as a
// change request instead. A plan with problems is never applied: the file is fixed and uploaded again.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { JobRunner } from '../../jobs/job-runner.js';
import type { JobView } from '../../jobs/job-types.js';
import { newChangeId } from '../changes/row-change.js';
import { chooseMethod } from '../changes/write-method.js';
import type { TableFormats } from '../formats/format-types.js';
import type { OrgView } from '../orgs/org-service.js';
import type { TableAccess } from '../permissions/access.js';
import { mayBypassApproval } from '../permissions/policy.js';
import type { ChangePolicy } from '../requests/request-types.js';
import type { TableService } from '../tables/table-service.js';
import type { Row } from '../../genesys/gateway.js';
import { changeCount, changesOf, rollbackRefusal } from './import-changes.js';
import { IMPORT_JOB, importJobHandler, type ImportApplyDeps, type ImportJobPlan } from './import-apply.js';
import { parseUpload } from './import-parse.js';
import { autoMapping } from './import-mapping.js';
import { blockingProblems, planImport } from './import-plan.js';
import type { ImportRepository, StoredDraft } from './import-repository.js';
import {
  IMPORT_MODES,
  type ColumnMapping,
  type ImportMode,
  type ImportPlan,
  type ParsedSheet,
} from './import-types.js';

/** How long a checked import waits to be applied. */
export const DRAFT_LIFETIME_MS = 24 * 60 * 60 * 1000;

export interface DryRunOptions {
  mode: ImportMode;
  mapping?: ColumnMapping;
  sheet?: string;
  allOrNothing: boolean;
}

/** An uploaded file as the upload parser left it on disk. */
export interface ImportUpload {
  path: string;
  name: string;
  size: number;
}

/** Importing needs at least one write right on the table (each row's own right is the plan's to check). */
export function assertMayImport(access: TableAccess): void {
  if (!access.canAdd && !access.canEdit && !access.canDelete)
    throw new ForbiddenError(
      access.readOnlyReason ?? 'You may not change rows in this table, so you cannot import into it.',
    );
}

export function readMode(raw: unknown): ImportMode {
  if (typeof raw === 'string' && (IMPORT_MODES as readonly string[]).includes(raw)) return raw as ImportMode;
  throw new ValidationError(
    'Choose what the import does: add new rows, add and update, or make the table like the file.',
    {
      mode: 'Choose add, add and update, or make the table exactly like the file.',
    },
  );
}

export function createImportService(
  deps: ImportApplyDeps & {
    repo: ImportRepository;
    tables: TableService;
    jobs: JobRunner;
    clock: Clock;
    changePolicies: { for(org: OrgView, tableId: string): Promise<ChangePolicy> };
    requests: () => {
      draft(
        actor: Actor,
        org: OrgView,
        changes: ReturnType<typeof changesOf>,
        opts: { title?: string; reason?: string },
      ): Promise<{ id: string }>;
    };
    /** The table's column formats (services.formats.forTable), checked by the plan like any value entering. */
    formats?: { forTable(orgId: string, tableId: string): Promise<TableFormats> };
  },
) {
  deps.jobs.register<ImportJobPlan, Record<string, unknown>>(IMPORT_JOB, importJobHandler(deps));

  /** The table as `actor` may change it, its rows, and the plan of `sheet` against it. */
  async function plan(actor: Actor, org: OrgView, tableId: string, sheet: ParsedSheet, opts: DryRunOptions) {
    const data = await deps.tables.rows(actor, org, tableId);
    const { table, access } = data;
    assertMayImport(access);
    const mapping = opts.mapping ?? autoMapping(sheet.header, { table, columns: data.columns });
    const formats = deps.formats ? await deps.formats.forTable(org.id, tableId) : new Map();
    const result: ImportPlan = planImport({
      sheet,
      mapping,
      mode: opts.mode,
      table,
      access,
      rows: [...data.rows],
      formats,
    });
    return { plan: result, table, access, columns: data.columns };
  }

  async function recordDryRun(
    actor: Actor,
    org: OrgView,
    d: Pick<StoredDraft, 'id' | 'tableId' | 'fileName'>,
    p: ImportPlan,
    tableName: string,
  ) {
    await deps.audit.record(
      {
        action: 'import.dry_run',
        orgId: org.id,
        tableId: d.tableId,
        details: {
          draftId: d.id,
          table: tableName,
          file: d.fileName,
          mode: p.mode,
          adds: p.adds.length,
          updates: p.updates.length,
          deletes: p.deletes.length,
          unchanged: p.unchanged,
          problems: p.problems.length,
        },
      },
      actor,
    );
  }

  /** The owner's draft in this org, while it is kept (anyone else's, or an expired one: not found). */
  async function own(actor: Actor, org: OrgView, draftId: string): Promise<StoredDraft> {
    const d = await deps.repo.findOwn(actor.userId, draftId);
    if (!d || d.orgId !== org.id) throw new NotFoundError('That import does not exist.');
    if (d.status === 'draft' && d.expiresAt.getTime() <= deps.clock.now())
      throw new NotFoundError(
        'That import was checked more than 24 hours ago and is no longer kept: upload the file again.',
      );
    return d;
  }

  return {
    /** Reads and checks the file against the table; keeps the result (a draft) and returns its id. Writes nothing. */
    async dryRun(
      actor: Actor,
      org: OrgView,
      tableId: string,
      upload: ImportUpload,
      opts: DryRunOptions,
    ): Promise<string> {
      assertMayImport((await deps.tables.open(actor, org, tableId)).access); // refused before the file is read
      await deps.repo.removeExpired(new Date(deps.clock.now()));
      const sheet = await parseUpload(
        { name: upload.name, stream: createReadStream(upload.path) },
        { sheet: opts.sheet },
      );
      const { plan: p, table } = await plan(actor, org, tableId, sheet, opts);
      const now = deps.clock.now();
      const id = randomUUID();
      const draft = {
        id,
        userId: actor.userId,
        orgId: org.id,
        tableId,
        fileName: upload.name.slice(0, 200),
        mode: opts.mode,
        allOrNothing: opts.allOrNothing,
        plan: p,
        sheet,
        createdAt: new Date(now),
        expiresAt: new Date(now + DRAFT_LIFETIME_MS),
      };
      await deps.repo.create(draft);
      await recordDryRun(actor, org, draft, p, table.name);
      return id;
    },

    /** The dry run again with another mapping, mode or all-or-nothing choice, against the table as it is now. */
    async remap(actor: Actor, org: OrgView, draftId: string, opts: DryRunOptions): Promise<void> {
      const d = await own(actor, org, draftId);
      if (d.status !== 'draft') throw new ValidationError('This import has already been applied or requested.');
      const { plan: p, table } = await plan(actor, org, d.tableId, d.sheet, opts);
      if (
        !(await deps.repo.replan(actor.userId, draftId, {
          plan: p,
          sheet: d.sheet,
          mode: opts.mode,
          allOrNothing: opts.allOrNothing,
        }))
      )
        throw new ValidationError('This import has already been applied or requested.');
      await recordDryRun(actor, org, d, p, table.name);
    },

    /** A draft for its pages: the plan, the table as its owner may see it, and whether it may be applied now. */
    async view(actor: Actor, org: OrgView, draftId: string) {
      const stored = await own(actor, org, draftId);
      const t = await deps.tables.open(actor, org, stored.tableId);
      // The plan was made with the rights of its dry run: a column hidden from its owner since then is left out
      // of every page (R6), and the draft can no longer be applied as it is.
      const narrowed = visiblePlan(stored.plan, t.columns);
      const d = { ...stored, plan: narrowed.plan };
      const policy = await deps.changePolicies.for(org, d.tableId);
      const needsRequest = policy.mode === 'approval' && !mayBypassApproval(actor);
      const rollback = d.allOrNothing ? rollbackRefusal(d.plan, t.access) : null;
      return {
        draft: d,
        table: t.table,
        columns: t.columns,
        access: t.access,
        needsRequest,
        rollbackRefusal: rollback,
        changes: changeCount(d.plan),
        /** Why it cannot be applied as it is (null: it can). */
        blocked:
          d.status !== 'draft'
            ? 'This import has already been applied or saved as a change request.'
            : narrowed.lostColumns
              ? 'Your rights on this table changed since the dry run: upload the file again to check it with them.'
              : blockingProblems(d.plan).length
                ? 'Fix the problems in the file and upload it again: nothing is imported while the file has problems.'
                : changeCount(d.plan) === 0
                  ? 'The file makes no changes to the table.'
                  : rollback,
      };
    },

    /**
     * Applies a checked import: a job (its page follows it), or a change request where the table's policy needs
     * approval. Deletes must be confirmed. Two clicks start one job.
     */
    async apply(
      actor: Actor,
      org: OrgView,
      draftId: string,
      opts: { confirmDeletes: boolean; reason?: string },
    ): Promise<{ job: JobView<ImportJobPlan> } | { requestId: string }> {
      const v = await this.view(actor, org, draftId);
      const { draft: d } = v;
      if (v.blocked) throw new ValidationError(v.blocked);
      if (d.plan.deletes.length && !opts.confirmDeletes)
        throw new ValidationError(`Confirm that ${d.plan.deletes.length} row(s) will be deleted.`, {
          confirmDeletes: 'Tick the box to confirm the deletes.',
        });
      const counts = { adds: d.plan.adds.length, updates: d.plan.updates.length, deletes: d.plan.deletes.length };
      const summary = { draftId: d.id, table: v.table.name, file: d.fileName, mode: d.mode, ...counts };
      if (v.needsRequest) {
        const changes = changesOf(d.plan, d.tableId, () => newChangeId());
        if (!(await deps.repo.claim(actor.userId, d.id)))
          throw new ValidationError('This import has already been applied or requested.');
        try {
          const { id } = await deps.requests().draft(actor, org, changes, {
            title: `Import of ${d.fileName}`.slice(0, 200),
            reason: opts.reason ?? '',
          });
          await deps.repo.settle(d.id, { status: 'requested', requestId: id });
          await deps.audit.record(
            { action: 'import.requested', orgId: org.id, tableId: d.tableId, details: { ...summary, requestId: id } },
            actor,
          );
          return { requestId: id };
        } catch (err) {
          await deps.repo.settle(d.id, { status: 'draft' }); // nothing was saved: the draft waits again
          throw err;
        }
      }
      if (!(await deps.repo.claim(actor.userId, d.id)))
        throw new ValidationError('This import has already been applied or requested.');
      const tableRows = (await deps.tables.rows(actor, org, d.tableId)).rows.length;
      const plan: ImportJobPlan = {
        method: chooseMethod(v.changes, tableRows),
        draftId: d.id,
        tableId: d.tableId,
        tableName: v.table.name,
        fileName: d.fileName,
        mode: d.mode,
        allOrNothing: d.allOrNothing,
        ...counts,
      };
      const job = await deps.jobs.submit(actor, IMPORT_JOB, plan, {
        orgId: org.id,
        batchId: randomUUID(),
        total: v.changes,
      });
      await deps.repo.settle(d.id, { status: 'applying', jobId: job.id });
      return { job };
    },

    /** An import job `actor` may see (its owner, or an administrator). */
    async job(actor: Actor, jobId: string): Promise<JobView> {
      return deps.jobs.get(actor, jobId, IMPORT_JOB);
    },
  };
}

export type ImportService = ReturnType<typeof createImportService>;

/** A plan cut down to the columns its owner may see now; `lostColumns` when that removed any. */
export function visiblePlan(p: ImportPlan, visible: readonly string[]): { plan: ImportPlan; lostColumns: boolean } {
  const seen = new Set(visible);
  const keep = (r: Row): Row => Object.fromEntries(Object.entries(r).filter(([c]) => seen.has(c)));
  const plan: ImportPlan = {
    ...p,
    mapping: Object.fromEntries(Object.entries(p.mapping).map(([h, c]) => [h, c !== null && seen.has(c) ? c : null])),
    columns: p.columns.filter((c) => seen.has(c)),
    adds: p.adds.map((a) => ({ ...a, row: keep(a.row) })),
    updates: p.updates.map((u) => ({
      ...u,
      before: keep(u.before),
      after: keep(u.after),
      changed: u.changed.filter((c) => seen.has(c)),
    })),
    deletes: p.deletes.map((x) => ({ ...x, before: keep(x.before) })),
    problems: p.problems.filter((q) => q.column === undefined || seen.has(q.column) || !p.columns.includes(q.column)),
  };
  return { plan, lostColumns: plan.columns.length !== p.columns.length };
}
