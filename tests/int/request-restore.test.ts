// A restore saved as a change request (issue 15): under the org's approval policy Tess (every right on Emergency
// Flags, no bypass) is offered "Submit for approval" instead of "Restore"; her request holds the rows the restore
// would write, with what they hold now as the original, and nothing reaches Genesys. A restore that would create
// a table, or has nothing to restore, is refused with the reason, and nothing is kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorOfUser, csrfFrom, type Agent } from '../helpers/test-app.js';
import { postForm, sandboxTable, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { approvalWorld } from '../helpers/request-page-fixtures.js';

let w: PermissionWorld;
let tess: Agent;
let backupId: string;
beforeAll(async () => {
  w = await approvalWorld('restore-canary-55');
  tess = w.users.tableEditor.agent;
  const org = await w.t.services.orgs.get(w.orgId);
  backupId = await w.t.services.backups.backupNow(
    await actorOfUser(w.t, w.users.tableEditor.id),
    org,
    [w.flagsId],
    'manual',
  );
  // After the backup, Genesys changes (someone edits the row there).
  sandboxTable(w, 'Emergency Flags').rows.get('Main Line')!.Message = 'Changed since the backup';
}, 60_000);
afterAll(async () => w.t.close());

const restorePage = () => `/backups/${encodeURIComponent(backupId)}/restore`;

describe('a restore saved as a change request', () => {
  it('is the only way under the approval policy, and keeps the rows without writing them', async () => {
    const page = await tess.get(restorePage());
    expect(page.status).toBe(200);
    expect(page.text).toContain('Submit for approval');
    expect(page.text).not.toMatch(/class="button primary">Restore</);

    const res = await postForm(tess, `${restorePage()}/request`, {
      target: w.orgId,
      'r:title': 'Put the flags back',
      'r:intent': 'draft',
    });
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    expect(res.headers.location).toMatch(/^\/requests\//);
    const id = decodeURIComponent(res.headers.location!.replace('/requests/', ''));
    const request = await w.t.services.requestRecords.get(id);
    const row = request!.rows.find((r) => r.key === 'Main Line')!;
    expect(row.original).toMatchObject({ Message: 'Changed since the backup' });
    expect(row.requested).toMatchObject({ Message: 'All normal' });
    expect(sandboxTable(w, 'Emergency Flags').rows.get('Main Line')!.Message).toBe('Changed since the backup');
  });

  it('refuses a restore with nothing to restore, naming why, and keeps nothing', async () => {
    const before = (await w.t.services.requestRecords.list({})).length;
    const other = await w.t.services.backups.backupNow(
      await actorOfUser(w.t, w.users.tableEditor.id),
      await w.t.services.orgs.get(w.orgId),
      [w.flagsId],
      'manual',
    );
    const page = `/backups/${encodeURIComponent(other)}/restore`;
    const res = await postForm(tess, `${page}/request`, { 'r:title': 'Nothing', 'r:intent': 'draft' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(page);
    expect((await tess.get(page)).text).toContain('nothing to request');
    expect((await w.t.services.requestRecords.list({})).length).toBe(before);
  });

  it('needs CSRF', async () => {
    await csrfFrom(tess, restorePage());
    const res = await tess.post(`${restorePage()}/request`).type('form').send({ 'r:title': 'x', 'r:intent': 'draft' });
    expect(res.status).toBe(403);
  });
});
