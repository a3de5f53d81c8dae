// The admin side of rights: the table list from Genesys, the column grid, validation, copying rights, the
// per-table view, audit entries, and the org-deletion guard.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfFrom } from '../helpers/test-app.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

const tableRightsUrl = (userId: number, tableId: string) => `/admin/users/${userId}/permissions/${w.orgId}/${tableId}`;

describe('granting rights', () => {
  it("lists the org's tables live from Genesys with each one's rights", async () => {
    const page = await w.admin.get(`/admin/users/${w.users.columnEditor.id}/permissions?orgId=${w.orgId}`);
    for (const name of ['Emergency Flags', 'Holiday Calendar', 'Opening Hours', 'Queue Routing', 'VIP Customers'])
      expect(page.text).toContain(name);
    expect(page.text).toContain('1 write, 3 read, 1 hidden');
  });

  it('saves table rights and a column grid from the live schema, audited with before and after', async () => {
    const url = tableRightsUrl(w.users.none.id, w.hoursId);
    const form = await w.admin.get(url);
    for (const col of ['key', 'Open', 'Close', 'Closed', 'TimeZone']) expect(form.text).toContain(`name="col:${col}"`);
    const res = await w.admin
      .post(url)
      .type('form')
      .send({
        _csrf: await csrfFrom(w.admin, url),
        canView: 'on',
        canEdit: 'on',
        'col:key': 'read',
        'col:Open': 'write',
        'col:Close': 'write',
        'col:Closed': 'read',
        'col:TimeZone': 'hidden',
        defaultColumnAccess: 'read',
      });
    expect(res.status).toBe(303);
    const stored = await w.t.services.permissions.rightsOn(w.users.none.id, w.orgId, w.hoursId);
    expect(stored).toEqual({
      canView: true,
      canEdit: true,
      canAdd: false,
      canDelete: false,
      canApprove: false,
      canRunPlaybooks: false,
      defaultColumnAccess: 'read',
      columns: { key: 'read', Open: 'write', Close: 'write', Closed: 'read', TimeZone: 'hidden' },
    });
    const audit = await w.t.db.auditEvent.findFirstOrThrow({ where: { action: 'permission.saved' } });
    expect(audit).toMatchObject({ targetUserId: w.users.none.id, orgId: w.orgId, tableId: w.hoursId });
    expect(JSON.parse(audit.before!)).toEqual({ none: true });
    expect(JSON.parse(audit.after!)).toMatchObject({ canEdit: true, columns: { Open: 'write' } });
    // The user now sees the table, without the hidden column.
    const grid = await w.users.none.agent.get(`/tables/${w.hoursId}`);
    expect(grid.status).toBe(200);
    expect(grid.text).not.toContain('Europe/London');
  });

  it('explains impossible combinations and unknown columns', async () => {
    const url = tableRightsUrl(w.users.none.id, w.hoursId);
    const token = await csrfFrom(w.admin, url);
    const noView = await w.admin.post(url).type('form').send({ _csrf: token, canEdit: 'on' });
    expect(noView.status).toBe(400);
    expect(noView.text).toContain('needs the view right too');
    const unknown = await w.admin.post(url).type('form').send({ _csrf: token, canView: 'on', 'col:Ghost': 'write' });
    expect(unknown.text).toContain('is not a column of Opening Hours');
    const badLevel = await w.admin.post(url).type('form').send({ _csrf: token, canView: 'on', 'col:Open': 'admin' });
    expect(badLevel.status).toBe(400);
    expect(await w.t.services.permissions.rightsOn(w.users.none.id, w.orgId, w.hoursId)).toBeNull();
  });

  it('offers the key column only read or hidden: it is written exactly when the user may add rows', async () => {
    const url = tableRightsUrl(w.users.none.id, w.hoursId);
    const form = (await w.admin.get(url)).text;
    const keyRow = /<tr>\s*<th scope="row">[^<]*<span class="tag">key<\/span>[\s\S]*?<\/tr>/.exec(form)?.[0] ?? '';
    expect(keyRow).toContain('value="read"');
    expect(keyRow).toContain('value="hidden"');
    expect(keyRow).not.toContain('value="write"');
    expect(keyRow).toContain('with “Add rows”');
    const save = async (fields: Record<string, string>) =>
      w.admin
        .post(url)
        .type('form')
        .send({ _csrf: await csrfFrom(w.admin, url), canView: 'on', ...fields })
        .expect(303);
    const keyNow = async () =>
      (await w.t.services.permissions.rightsOn(w.users.none.id, w.orgId, w.hoursId))!.columns.key;
    // (Before issue 16 "Add rows" with the key at read was refused, and write without "Add rows" was stored.)
    await save({ canAdd: 'on', 'col:key': 'read' });
    expect(await keyNow()).toBe('write');
    await save({ 'col:key': 'write' });
    expect(await keyNow()).toBe('read');
    await save({ 'col:key': 'hidden' });
    expect(await keyNow()).toBe('hidden');
  });

  it('copies rights from another user', async () => {
    const url = `/admin/users/${w.users.none.id}/permissions/copy`;
    const res = await w.admin
      .post(url)
      .type('form')
      .send({
        _csrf: await csrfFrom(w.admin, `/admin/users/${w.users.none.id}/permissions`),
        fromUserId: String(w.users.columnEditor.id),
      });
    expect(res.status).toBe(303);
    expect(await w.t.services.permissions.rightsOn(w.users.none.id, w.orgId, w.flagsId)).toEqual(
      await w.t.services.permissions.rightsOn(w.users.columnEditor.id, w.orgId, w.flagsId),
    );
  });

  it('shows who can do what on a table', async () => {
    const page = await w.admin.get(`/admin/orgs/${w.orgId}/tables/${w.flagsId}/access`);
    for (const name of ['Vic', 'Cole', 'Tess']) expect(page.text).toContain(name);
    expect(page.text).not.toContain('Nora');
  });

  it('an org that rights refer to cannot be deleted, only archived', async () => {
    const res = await w.admin
      .post(`/admin/orgs/${w.orgId}/delete`)
      .type('form')
      .send({ _csrf: await csrfFrom(w.admin, '/admin/orgs') });
    expect(res.status).toBe(409);
    expect(res.text).toContain('table right(s) of users refer to it');
  });
});
