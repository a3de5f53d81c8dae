// Playbooks' side of the request service: a content edit is a change request of purpose 'playbook' (approved
// under the tables' policy, then published by the playbook service); a run is a change request of purpose
// 'change' carrying the playbook's id, authored by the runner, approved by the playbook's own approval and
// applied at once (the applier checks the runner's "run playbooks" right instead of the edit right).
import type { Actor } from '../../lib/actor.js';
import { newChangeId, type RowChange } from '../changes/row-change.js';
import type { OrgView } from '../orgs/org-service.js';
import type { RequestRepository } from '../requests/request-repository.js';
import type { RequestService } from '../requests/request-service.js';
import type { PlaybookRow } from './playbook-content.js';
import type { Playbook } from './playbook-repository.js';
import type { PlaybookRequests } from './playbook-service.js';

/** The rows as changes (the request service captures each row's values now as the original). */
export function changesOf(rows: PlaybookRow[]): RowChange[] {
  return rows.map((r): RowChange => {
    const base = { id: newChangeId(), tableId: r.tableId, key: r.key };
    if (r.kind === 'delete') return { ...base, kind: 'delete' };
    if (r.kind === 'create') return { ...base, kind: 'create', write: { ...r.requested, key: r.key } };
    return { ...base, kind: 'update', write: { ...r.requested } };
  });
}

export function createPlaybookRequests(deps: {
  requests: RequestService;
  records: RequestRepository;
}): PlaybookRequests {
  const { requests } = deps;
  return {
    async proposeContent(actor: Actor, org: OrgView, playbook: Playbook, rows: PlaybookRow[]) {
      const draft = await requests.draft(actor, org, changesOf(rows), {
        title: `Playbook “${playbook.name}”: new content`,
        reason: `Approve what the playbook “${playbook.name}” writes when someone runs it.`,
        purpose: 'playbook',
        playbookId: playbook.id,
      });
      await requests.submit(actor, draft.id, {});
      return draft.id;
    },

    async withdraw(actor: Actor, requestId: string) {
      await requests.withdraw(actor, requestId);
    },

    async startRun(actor, org, run) {
      const draft = await requests.draft(actor, org, changesOf(run.rows), {
        title: `Playbook “${run.playbook.name}” (version ${run.playbook.version})`,
        reason: run.reason,
        purpose: 'change',
        playbookId: run.playbook.id,
      });
      await requests.submit(actor, draft.id, { revertAt: run.revertAt ?? undefined });
      return draft.id;
    },

    runsOf: (orgId, playbookId, take) => deps.records.list({ orgId, playbookId, purpose: 'change', take }),
  };
}
