// What playbooks ask of change requests (part of services.requests, sharing its helpers like
// request-decisions.ts): a playbook's new content as a request asking approval (purpose 'playbook'), which is
// published, never written to Genesys, once approved; and a run, a request by the runner approved by the
// playbook's own approval and applied at once. The playbook service decides who may do either (policy.ts
// mayManagePlaybooks / mayRunPlaybook); the applier checks the runner's right again before writing (R3).
import type { Row } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import { ConflictError, ForbiddenError } from '../../lib/errors.js';
import type { OrgView } from '../orgs/org-service.js';
import { mayManagePlaybooks } from '../permissions/policy.js';
import type { RequestContext } from './request-decisions.js';
import type { NewRequestRow } from './request-repository.js';
import { assertStatus, checkedSchedule } from './request-rules.js';
import type { ChangeRequestWithRows } from './request-types.js';

/** A row of a playbook's content (playbooks/playbook-content.ts). */
export interface PlaybookRowInput {
  tableId: string;
  tableName: string;
  key: string;
  kind: 'create' | 'update' | 'delete';
  requested: Row | null;
}

/** Publishes approved content (playbook-service.ts `publish`); false when a newer edit superseded it. */
export interface PlaybookPublisher {
  publish(request: ChangeRequestWithRows): Promise<boolean>;
}

export function createRequestPlaybooks(c: RequestContext & { publisher: () => PlaybookPublisher }) {
  const { deps, load, record, start } = c;
  const { repo, transact, clock } = deps;

  /**
   * The rows as request rows with each row's values now as `original` (what the apply expects and the revert
   * writes back), read as `actor`, who may see every table (checked by the caller). Every column the playbook
   * writes is kept, also where the row holds it already: the content is the playbook's, not a diff.
   */
  async function rowsOf(actor: Actor, org: OrgView, rows: PlaybookRowInput[]): Promise<NewRequestRow[]> {
    const out: NewRequestRow[] = [];
    for (const r of rows) {
      const t = await deps.tables.open(actor, org, r.tableId);
      const current = await t.gateway.getRow(r.tableId, r.key);
      out.push({ ...r, tableName: t.table.name, original: current, editedById: null, editedBy: null });
    }
    return out;
  }

  return {
    /** New content for a playbook, submitted for approval by its tables' policy; its id. */
    async proposePlaybookContent(
      actor: Actor,
      org: OrgView,
      playbook: { id: string; name: string },
      rows: PlaybookRowInput[],
    ): Promise<string> {
      if (!mayManagePlaybooks(actor)) throw new ForbiddenError('Only administrators may change playbooks.');
      checkedSchedule(org, {}, clock.now()); // a read-only org takes no request at all
      const requestRows = await rowsOf(actor, org, rows);
      const policy = await deps.policies.forTables(
        org,
        rows.map((r) => r.tableId),
      );
      const needed = policy.mode === 'approval' ? policy.approvalsNeeded : 0;
      const now = new Date(clock.now());
      const id = await transact(async (tx) => {
        const created = await repo.create(
          {
            orgId: org.id,
            title: `Playbook “${playbook.name}”: new content`,
            reason: `What the playbook “${playbook.name}” writes when someone runs it.`,
            authorId: actor.userId,
            authorName: actor.name,
            purpose: 'playbook',
            playbookId: playbook.id,
            status: needed === 0 ? 'approved' : 'submitted',
            rows: requestRows,
          },
          tx,
        );
        await repo.update(created.id, { approvalsNeeded: needed, submittedAt: now }, tx);
        await record('request.created', actor, created, tx);
        await record('request.submitted', actor, await load(created.id, tx), tx);
        return created.id;
      });
      if (needed === 0) await start(id, 'apply', ['approved']);
      return id;
    },

    /** An administrator withdraws content that a newer edit (or the playbook's archive) supersedes. */
    async withdrawPlaybookContent(actor: Actor, id: string): Promise<void> {
      if (!mayManagePlaybooks(actor)) throw new ForbiddenError('Only administrators may change playbooks.');
      await transact(async (tx) => {
        const req = await load(id, tx);
        if (req.purpose !== 'playbook') throw new ConflictError('That change request is not a playbook’s content.');
        const open = ['submitted', 'changes_requested', 'approved'] as const;
        if (req.status === 'withdrawn' || req.status === 'rejected') return;
        assertStatus(req, open, 'withdrawn');
        if (!(await repo.transition(id, open, 'withdrawn', { closedAt: new Date(clock.now()) }, tx)))
          throw new ConflictError('This change request changed while it was withdrawn: try again.');
        await record('request.withdrawn', actor, req, tx, { reason: 'A newer edit of the playbook replaces it.' });
      });
    },

    /**
     * A run by `actor` of the playbook's approved `rows` (the playbook service checked mayRunPlaybook): approved
     * by the playbook's approval, no other needed, and its apply started now; `revertAt` ends it.
     */
    async startPlaybookRun(
      actor: Actor,
      org: OrgView,
      run: { playbookId: string; title: string; reason: string; rows: PlaybookRowInput[]; revertAt: Date | null },
    ): Promise<string> {
      const when = checkedSchedule(org, { revertAt: run.revertAt }, clock.now());
      const requestRows = await rowsOf(actor, org, run.rows);
      const now = new Date(clock.now());
      const id = await transact(async (tx) => {
        const created = await repo.create(
          {
            orgId: org.id,
            title: run.title,
            reason: run.reason,
            authorId: actor.userId,
            authorName: actor.name,
            purpose: 'change',
            playbookId: run.playbookId,
            status: 'approved',
            rows: requestRows,
          },
          tx,
        );
        await repo.update(created.id, { ...when, approvalsNeeded: 0, submittedAt: now }, tx);
        await record('request.created', actor, await load(created.id, tx), tx, { reason: run.reason });
        return created.id;
      });
      await start(id, 'apply', ['approved']);
      return id;
    },

    /**
     * Instead of an apply job, for a playbook's approved content: published as the playbook's content, and the
     * request closed (applied; withdrawn when a newer edit had superseded it). True when it was one.
     */
    async publishIfPlaybookContent(id: string): Promise<boolean> {
      const req = await load(id);
      if (req.purpose !== 'playbook') return false;
      const published = await c.publisher().publish(req);
      const at = new Date(clock.now());
      await repo.transition(
        id,
        ['approved'],
        published ? 'applied' : 'withdrawn',
        published ? { appliedAt: at, closedAt: at } : { closedAt: at },
      );
      return true;
    },
  };
}
