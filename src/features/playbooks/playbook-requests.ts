// Playbooks' side of the request service (request-playbooks.ts): a content edit is a change request of
// purpose 'playbook', published by the playbook service once approved; a run is a change request of purpose
// 'change' carrying the playbook's id, authored by the runner, approved by the playbook's own approval and
// applied at once (the applier checks the runner's "run playbooks" right instead of the edit right).
import type { RequestRepository } from '../requests/request-repository.js';
import type { createRequestService } from '../requests/request-service.js';
import type { PlaybookRequests } from './playbook-service.js';

type RequestService = ReturnType<typeof createRequestService>;

export function createPlaybookRequests(deps: {
  requests: () => RequestService;
  records: RequestRepository;
}): PlaybookRequests {
  return {
    proposeContent: (actor, org, playbook, rows) => deps.requests().proposePlaybookContent(actor, org, playbook, rows),

    withdraw: (actor, requestId) => deps.requests().withdrawPlaybookContent(actor, requestId),

    startRun: (actor, org, run) =>
      deps.requests().startPlaybookRun(actor, org, {
        playbookId: run.playbook.id,
        title: `Playbook “${run.playbook.name}” (version ${run.playbook.version})`,
        reason: run.reason,
        rows: run.rows,
        revertAt: run.revertAt,
      }),

    async rowsOf(requestId) {
      const req = await deps.records.get(requestId);
      return req
        ? req.rows.map(({ tableId, tableName, key, kind, requested }) => ({ tableId, tableName, key, kind, requested }))
        : null;
    },

    runsOf: (orgId, playbookId, take) => deps.records.list({ orgId, playbookId, purpose: 'change', take }),
  };
}
