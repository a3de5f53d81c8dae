// Change requests through services.requests as the people of permissionWorld: Tess (every right on Emergency
// Flags) writes them, Vic (viewer) approves when given canApprove. The org's policy starts at "approval by one".
import type { Row } from '../../src/genesys/gateway.js';
import { newChangeId, type RowChange } from '../../src/features/changes/row-change.js';
import { permissionWorld, sandboxTable, type PermissionWorld } from './permission-fixtures.js';
import { actorOfUser } from './test-app.js';

export async function requestWorld(w: PermissionWorld) {
  const t = w.t;
  const org = async () => t.services.orgs.get(w.orgId);
  const as = (id: number) => actorOfUser(t, id);
  const update = (key: string, write: Row, tableId = w.flagsId): RowChange => ({
    id: newChangeId(),
    kind: 'update',
    tableId,
    key,
    write,
  });
  const setPolicy = (mode: 'direct' | 'approval', approvalsNeeded = 1) =>
    t.db.genesysOrg.update({ where: { id: w.orgId }, data: { changePolicy: mode, approvalsNeeded } });
  await setPolicy('approval', 1);
  return {
    org,
    as,
    tess: await as(w.users.tableEditor.id),
    vic: await as(w.users.viewer.id),
    cole: await as(w.users.columnEditor.id),
    nora: await as(w.users.none.id),
    requests: t.services.requests,
    update,
    setPolicy,
    /** Tess may change every column of Emergency Flags, Vic may approve it; the org is writable. */
    async resetRights() {
      await w.grant(w.users.tableEditor.id, w.flagsId, {
        canEdit: true,
        canAdd: true,
        canDelete: true,
        defaultColumnAccess: 'write',
      });
      await w.grant(w.users.viewer.id, w.flagsId, { canApprove: true, defaultColumnAccess: 'read' });
      await t.db.genesysOrg.update({ where: { id: w.orgId }, data: { readOnly: false } });
    },
    flagRow: (key: string) => sandboxTable(w, 'Emergency Flags').rows.get(key),
    /** Runs every job started so far to its end (an apply or revert). */
    settle: () => t.services.jobs.idle(),
    entries: async (id: string) =>
      (await t.db.auditEvent.findMany({ where: { action: { startsWith: 'request.' } }, orderBy: { seq: 'asc' } }))
        .filter((e) => e.details?.includes(id))
        .map((e) => e.action),
  };
}

export type RequestWorld = Awaited<ReturnType<typeof requestWorld>>;

/** A permission world with the request helpers on it (one per test file). */
export async function requestTestWorld(): Promise<{ w: PermissionWorld; r: RequestWorld }> {
  const w = await permissionWorld();
  return { w, r: await requestWorld(w) };
}
