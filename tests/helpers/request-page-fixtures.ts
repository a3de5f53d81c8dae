// The people of permissionWorld set up for the change-request pages: Emergency Flags needs one approval in an
// org on Europe/Berlin time; Vic (viewer) may approve it but not see ActivatedBy, which holds `canary`.
import { permissionWorld, plantHiddenCanary, type PermissionWorld } from './permission-fixtures.js';

export async function approvalWorld(canary: string): Promise<PermissionWorld> {
  const w = await permissionWorld();
  await w.grant(w.users.viewer.id, w.flagsId, {
    canApprove: true,
    columns: { key: 'read', Active: 'read', Message: 'read', Priority: 'read', ActivatedBy: 'hidden' },
  });
  await w.t.db.genesysOrg.update({
    where: { id: w.orgId },
    data: { changePolicy: 'approval', approvalsNeeded: 1, timeZone: 'Europe/Berlin' },
  });
  await plantHiddenCanary(w, canary);
  return w;
}
