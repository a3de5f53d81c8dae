// Playbooks: named, pre-approved change sets ("Site closed — snow") that on-call staff with the "run
// playbooks" right run with one click and a reason. Administrators create and edit them; what a playbook
// writes (its content) changes only through approval under the tables' change policy: an edit opens a change
// request (purpose 'playbook'), and `publish` makes the approved rows the playbook's content and raises its
// version. Until then every run writes the last approved content; a playbook never approved cannot run.
// A run is a change request too (author = the runner), approved by the playbook's approval, applied by the
// request service's applier with the runner's run-playbooks right checked instead of the edit right.
import { randomUUID } from 'node:crypto';
import type { Transact } from '../../db/transaction.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { parseLocalTime } from '../../lib/zoned-time.js';
import type { AuditService } from '../audit/audit-service.js';
import type { OrgView } from '../orgs/org-service.js';
import type { PermissionService } from '../permissions/permission-service.js';
import { mayManagePlaybooks, mayRunPlaybook, maySeePlaybook, rightsOf } from '../permissions/policy.js';
import type { ChangePolicy, ChangeRequestRecord } from '../requests/request-types.js';
import type { TableService } from '../tables/table-service.js';
import { contentRows, parseContentText, sameContent, type PlaybookRow } from './playbook-content.js';
import { checkedRows } from './playbook-rows-check.js';
import type { Playbook, PlaybookRepository } from './playbook-repository.js';
import { parsePlaybookForm, parseRunForm, type PlaybookForm } from './playbook-form.js';
import { presentPlaybook, type PlaybookView } from './playbook-view.js';

/** What playbooks need of the request service (playbook-requests.ts adapts it). */
export interface PlaybookRequests {
  /** A submitted request (purpose 'playbook', by `actor`) asking approval of `rows` as the new content; its id. */
  proposeContent(actor: Actor, org: OrgView, playbook: Playbook, rows: PlaybookRow[]): Promise<string>;
  /** Closes a content request that a newer edit (or the archive) supersedes. */
  withdraw(actor: Actor, requestId: string): Promise<void>;
  /** A run: an approved request by the runner, its apply started now; its id. */
  startRun(
    actor: Actor,
    org: OrgView,
    run: { playbook: Playbook; rows: PlaybookRow[]; reason: string; revertAt: Date | null },
  ): Promise<string>;
  /** The rows of a content request (null: no such request). */
  rowsOf(requestId: string): Promise<PlaybookRow[] | null>;
  /** The playbook's latest runs, newest first. */
  runsOf(orgId: string, playbookId: string, take: number): Promise<ChangeRequestRecord[]>;
}

export interface PlaybookPolicies {
  /** The strictest policy of these tables (change-policy.ts). */
  forTables(org: OrgView, tableIds: string[]): Promise<ChangePolicy>;
}

export function createPlaybookService(deps: {
  repo: PlaybookRepository;
  transact: Transact;
  audit: AuditService;
  tables: TableService;
  permissions: PermissionService;
  policies: () => PlaybookPolicies;
  requests: () => PlaybookRequests;
  clock: Clock;
}) {
  const { repo, audit } = deps;

  function assertManager(actor: Actor): void {
    if (!mayManagePlaybooks(actor)) throw new ForbiddenError('Only administrators may create or change playbooks.');
  }

  async function inOrg(org: OrgView, id: string): Promise<Playbook> {
    const p = await repo.find(id);
    if (!p || p.orgId !== org.id || p.archivedAt)
      throw new NotFoundError('That playbook does not exist or you have no access to it.');
    return p;
  }

  /** The stored grants of `actor` in the org (null for an administrator: every right). */
  async function grantsOf(actor: Actor, org: OrgView) {
    const stored = await deps.permissions.rightsOf(actor.userId, org.id);
    return (tableId: string) => rightsOf(actor, stored.get(tableId));
  }

  type Grant = Awaited<ReturnType<typeof grantsOf>>;
  /** `actor`'s rights on each table `rows` write. */
  const rightsFor = (grant: Grant, rows: PlaybookRow[]) => [...new Set(rows.map((r) => r.tableId))].map(grant);
  /** Whether `actor` may see `p`: administrators, and people with "run playbooks" on every table of it. */
  const visibleTo = (grant: Grant, actor: Actor, p: Playbook) =>
    maySeePlaybook(actor, rightsFor(grant, contentRows(p.content)));
  const runnableBy = (grant: Grant, actor: Actor, org: OrgView, p: Playbook) =>
    mayRunPlaybook(actor, org, rightsFor(grant, contentRows(p.content)));

  /**
   * New content for `p`: published at once when every table of it changes directly, else a change request
   * asking approval (a content request still open is withdrawn: only the newest edit can be approved).
   */
  async function proposeContent(actor: Actor, org: OrgView, p: Playbook, rows: PlaybookRow[]) {
    const tableIds = [...new Set(rows.map((r) => r.tableId))];
    const policy = await deps.policies().forTables(org, tableIds);
    if (p.pendingRequestId) {
      await deps.requests().withdraw(actor, p.pendingRequestId);
      await repo.setPending(p.id, null);
    }
    if (policy.mode === 'direct' || policy.approvalsNeeded === 0) {
      await publishContent(actor, p, null, rows);
      return null;
    }
    const requestId = await deps.requests().proposeContent(actor, org, p, rows);
    await repo.setPending(p.id, requestId);
    return requestId;
  }

  async function publishContent(actor: Actor | null, p: Playbook, requestId: string | null, rows: PlaybookRow[]) {
    return deps.transact(async (tx) => {
      if (!(await repo.publish(p.id, requestId, JSON.stringify(rows), tx))) return false;
      await audit.record(
        {
          action: 'playbook.published',
          orgId: p.orgId,
          before: contentRows(p.content),
          after: rows,
          details: { playbookId: p.id, name: p.name, version: p.version + 1, requestId },
        },
        actor,
        tx,
      );
      return true;
    });
  }

  return {
    async list(actor: Actor, org: OrgView): Promise<PlaybookView[]> {
      const grant = await grantsOf(actor, org);
      return (await repo.list(org.id))
        .filter((p) => visibleTo(grant, actor, p))
        .map((p) => presentPlaybook(p, grant, runnableBy(grant, actor, org, p)));
    },

    async get(actor: Actor, org: OrgView, id: string) {
      const p = await inOrg(org, id);
      const grant = await grantsOf(actor, org);
      if (!visibleTo(grant, actor, p))
        throw new NotFoundError('That playbook does not exist or you have no access to it.');
      const runs = await deps.requests().runsOf(org.id, p.id, 10);
      return {
        playbook: presentPlaybook(p, grant, runnableBy(grant, actor, org, p)),
        runs,
        zone: org.timeZone,
      };
    },

    /** The playbook as its form shows it (administrators). */
    /** The playbook and the rows its form shows: the content waiting for approval if any, else the approved. */
    async forEditing(actor: Actor, org: OrgView, id: string): Promise<{ playbook: Playbook; rows: PlaybookRow[] }> {
      assertManager(actor);
      const p = await inOrg(org, id);
      const pending = p.pendingRequestId ? await deps.requests().rowsOf(p.pendingRequestId) : null;
      return { playbook: p, rows: pending ?? contentRows(p.content) };
    },

    async create(actor: Actor, org: OrgView, body: unknown): Promise<{ id: string; requestId: string | null }> {
      assertManager(actor);
      if (org.readOnly) throw new ForbiddenError(`“${org.name}” is read-only: playbooks there could never run.`);
      const form = parsePlaybookForm(body);
      const rows = await checkedRows(deps.tables, actor, org, parseContentText(form.content));
      const created = await deps.transact(async (tx) => {
        const p = await repo.create(
          {
            id: randomUUID(),
            orgId: org.id,
            name: form.name,
            description: form.description,
            durationMinutes: form.durationMinutes,
            createdById: actor.userId,
          },
          tx,
        );
        if (!p) throw nameTaken(form);
        await audit.record(
          {
            action: 'playbook.created',
            orgId: org.id,
            after: { ...detailsOf(p), rows },
            details: { playbookId: p.id, name: p.name },
          },
          actor,
          tx,
        );
        return p;
      });
      return { id: created.id, requestId: await proposeContent(actor, org, created, rows) };
    },

    /** Name, description and duration change at once; new content is proposed for approval (proposeContent). */
    async update(actor: Actor, org: OrgView, id: string, body: unknown): Promise<{ requestId: string | null }> {
      assertManager(actor);
      const p = await inOrg(org, id);
      const form = parsePlaybookForm(body);
      const rows = await checkedRows(deps.tables, actor, org, parseContentText(form.content));
      const updated = await deps.transact(async (tx) => {
        const u = await repo.updateDetails(
          p.id,
          { name: form.name, description: form.description, durationMinutes: form.durationMinutes },
          tx,
        );
        if (!u) throw nameTaken(form);
        await audit.record(
          {
            action: 'playbook.updated',
            orgId: org.id,
            before: detailsOf(p),
            after: detailsOf(u),
            details: { playbookId: p.id, name: u.name },
          },
          actor,
          tx,
        );
        return u;
      });
      // The approved rows again: any change waiting is dropped. The waiting rows again (a name changed, say):
      // it keeps waiting, with the approvals it has. Anything else is new content to approve.
      if (sameContent(rows, contentRows(p.content))) {
        if (p.pendingRequestId) {
          await deps.requests().withdraw(actor, p.pendingRequestId);
          await repo.setPending(p.id, null);
        }
        return { requestId: null };
      }
      const pending = p.pendingRequestId ? await deps.requests().rowsOf(p.pendingRequestId) : null;
      if (pending && sameContent(rows, pending)) return { requestId: p.pendingRequestId };
      return { requestId: await proposeContent(actor, org, updated, rows) };
    },

    async archive(actor: Actor, org: OrgView, id: string): Promise<void> {
      assertManager(actor);
      const p = await inOrg(org, id);
      if (p.pendingRequestId) await deps.requests().withdraw(actor, p.pendingRequestId);
      await deps.transact(async (tx) => {
        await repo.archive(p.id, new Date(deps.clock.now()), tx);
        await audit.record(
          {
            action: 'playbook.archived',
            orgId: org.id,
            before: detailsOf(p),
            details: { playbookId: p.id, name: p.name },
          },
          actor,
          tx,
        );
      });
    },

    /**
     * Called by the request service when a content request (purpose 'playbook') is approved: its rows become
     * the playbook's content. A request a newer edit superseded publishes nothing (false).
     */
    async publish(request: { id: string; playbookId: string | null; rows: PlaybookRow[] }, actor: Actor | null = null) {
      const p = request.playbookId ? await repo.find(request.playbookId) : null;
      if (!p || p.pendingRequestId !== request.id) return false;
      return publishContent(actor, p, request.id, request.rows.map(stored));
    },

    /**
     * Why a run may not write its rows any more (null: it may). The apply job asks before writing (R3): a
     * playbook archived, or whose content was changed and approved since the run started, does not run the
     * old rows. Its revert always may: it writes back what the run found.
     */
    async runProblem(req: {
      playbookId: string | null;
      purpose: string;
      status: string;
      rows: PlaybookRow[];
    }): Promise<string | null> {
      if (!req.playbookId || req.purpose !== 'change' || req.status === 'reverting') return null;
      const p = await repo.find(req.playbookId);
      if (!p || p.archivedAt) return 'The playbook was archived after this run was started, so nothing was written.';
      if (!sameContent(contentRows(p.content), req.rows.map(stored)))
        return `The playbook “${p.name}” was changed since this run was started, so nothing was written. Run it again.`;
      return null;
    },

    /**
     * Runs the approved content. The body gives only a reason and an optional end time: nothing a runner
     * sends can change which rows, values, tables or duration run (R5).
     */
    async run(actor: Actor, org: OrgView, id: string, body: unknown): Promise<{ requestId: string }> {
      const p = await inOrg(org, id);
      const rows = contentRows(p.content);
      const grant = await grantsOf(actor, org);
      if (org.readOnly)
        throw new ForbiddenError(`The org “${org.name}” is read-only: nobody can change its data through this app.`);
      if (p.version === 0 || rows.length === 0)
        throw new ConflictError('This playbook has not been approved yet, so it cannot run.');
      if (!mayRunPlaybook(actor, org, rightsFor(grant, rows)))
        throw new ForbiddenError(
          'You may not run this playbook: it writes to a table on which you do not have the “run playbooks” right.',
        );
      const form = parseRunForm(body);
      const now = deps.clock.now();
      let revertAt = p.durationMinutes ? new Date(now + p.durationMinutes * 60_000) : null;
      if (form.endAt) {
        const parsed = parseLocalTime(form.endAt, org.timeZone);
        if (!parsed.ok) throw new ValidationError(parsed.message, { endAt: parsed.message });
        if (parsed.at.getTime() <= now) {
          const message = 'The end time has passed already; choose a time in the future, or leave it empty.';
          throw new ValidationError(message, { endAt: message });
        }
        revertAt = parsed.at;
      }
      const requestId = await deps
        .requests()
        .startRun(actor, org, { playbook: p, rows, reason: form.reason, revertAt });
      await audit.record(
        {
          action: 'playbook.run',
          orgId: org.id,
          reason: form.reason,
          details: {
            playbookId: p.id,
            name: p.name,
            version: p.version,
            requestId,
            revertAt: revertAt?.toISOString() ?? null,
          },
        },
        actor,
      );
      return { requestId };
    },
  };
}

/** A request row as playbook content (the request adds states and originals). */
const stored = ({ tableId, tableName, key, kind, requested }: PlaybookRow): PlaybookRow => ({
  tableId,
  tableName,
  key,
  kind,
  requested,
});

const detailsOf = (p: Playbook) => ({
  name: p.name,
  description: p.description,
  durationMinutes: p.durationMinutes,
});

const nameTaken = (form: PlaybookForm) =>
  new ValidationError(`A playbook named “${form.name}” exists already in this org (perhaps archived).`, {
    name: 'Choose another name.',
  });

export type PlaybookService = ReturnType<typeof createPlaybookService>;
