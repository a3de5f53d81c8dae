// Table and column rights enforced in services on every read and write: deny by default, hidden columns
// never leave the server, forbidden writes are 403 (never dropped), merged writes keep what the user cannot
// see, and a request naming another table or org reaches nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfFrom, ADMIN_ACTOR } from '../helpers/test-app.js';
import { permissionWorld, plantHiddenCanary, type PermissionWorld, rowUrlIn } from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
  await plantHiddenCanary(w, 'CANARY-HIDDEN-7'); // in a column hidden from the viewer and the column editor
});
afterEach(async () => w.t.close());

const flagsUrl = () => `/tables/${w.flagsId}`;
const rowUrl = (key: string) => rowUrlIn(w.flagsId, key);
async function emulatorRow(key: string) {
  return (await w.t.services.orgs.gatewayFor(w.orgId)).getRow(w.flagsId, key);
}

describe('reading', () => {
  it('a user sees only tables with view rights', async () => {
    const list = await w.users.viewer.agent.get('/tables');
    expect(list.text).toContain('Emergency Flags');
    expect(list.text).not.toContain('Opening Hours');
    const none = await w.users.none.agent.get('/tables');
    expect(none.text).toContain('You have no access to any table');
    expect((await w.admin.get('/tables')).text).toContain('Opening Hours');
  });

  it('hidden columns never reach the browser: not in the grid, the row page or search results', async () => {
    const grid = await w.users.viewer.agent.get(flagsUrl());
    expect(grid.status).toBe(200);
    expect(grid.text).toContain('All normal');
    expect(grid.text).not.toContain('CANARY-HIDDEN-7');
    expect(grid.text).not.toContain('ActivatedBy');
    const row = await w.users.viewer.agent.get(rowUrl('Main Line'));
    expect(row.text).toContain('All normal');
    expect(row.text).not.toContain('CANARY-HIDDEN-7');
    const search = await w.users.viewer.agent.get(`${flagsUrl()}?q=CANARY-HIDDEN`);
    expect(search.text).toContain('0 of 4 rows');
    expect(search.text).not.toContain('Main Line</td>');
    const adminSearch = await w.admin.get(`${flagsUrl()}?q=canary-hidden`);
    expect(adminSearch.text).toContain('1 of 4 rows');
  });

  it('a hidden key column is replaced by opaque row links', async () => {
    await w.grant(w.users.viewer.id, w.flagsId, { columns: { key: 'hidden', Message: 'read' } });
    const grid = await w.users.viewer.agent.get(flagsUrl());
    expect(grid.text).not.toContain('Main Line');
    expect(grid.text).not.toContain('Weather Closure');
    const link = /href="(\/tables\/[^"]+\/rows\/h\.[^"]+)"/.exec(grid.text)![1]!;
    expect((await w.users.viewer.agent.get(link)).status).toBe(200);
    // Guessing a key in the URL does not work when keys are hidden.
    expect((await w.users.viewer.agent.get(rowUrl('Main Line'))).status).toBe(404);
  });

  it('no rights: 404, and nothing reaches Genesys', async () => {
    const before = w.apiCalls();
    expect((await w.users.none.agent.get(flagsUrl())).status).toBe(404);
    expect((await w.users.none.agent.get(rowUrl('Main Line'))).status).toBe(404);
    expect((await w.users.viewer.agent.get(`/tables/${w.hoursId}`)).status).toBe(404);
    expect(w.apiCalls()).toBe(before);
  });
});

describe('writing', () => {
  it('the column editor changes Message; hidden and read-only columns keep their values (merge)', async () => {
    const agent = w.users.columnEditor.agent;
    const res = await agent
      .post(rowUrl('Main Line'))
      .type('form')
      .send({ _csrf: await csrfFrom(agent, rowUrl('Main Line')), 'f:Message': 'Storm warning' });
    expect(res.status).toBe(303);
    expect(await emulatorRow('Main Line')).toEqual({
      key: 'Main Line',
      Active: false,
      Message: 'Storm warning',
      Priority: 1,
      ActivatedBy: 'CANARY-HIDDEN-7',
    });
  });

  it('a field the user may not write is refused with 403, never silently dropped; unknown and hidden fields are 400', async () => {
    const agent = w.users.columnEditor.agent;
    const token = await csrfFrom(agent, rowUrl('Main Line'));
    const before = w.apiCalls();
    for (const field of ['f:Priority', 'f:Active', 'b:Active']) {
      const res = await agent
        .post(rowUrl('Main Line'))
        .type('form')
        .send({ _csrf: token, 'f:Message': 'x', [field]: field === 'f:Priority' ? '9' : 'true' });
      expect(res.status, field).toBe(403);
    }
    expect(w.apiCalls()).toBe(before); // refused before anything reached Genesys
    const writesBefore = w.writes();
    expect((await agent.post(rowUrl('Main Line')).type('form').send({ _csrf: token, 'f:Colour': 'red' })).status).toBe(
      400,
    );
    // A hidden column is answered like an unknown one (a 403 would confirm that the name exists).
    expect(
      (
        await agent
          .post(rowUrl('Main Line'))
          .type('form')
          .send({ _csrf: token, 'f:Message': 'x', 'f:ActivatedBy': '9' })
      ).status,
    ).toBe(400);
    expect((await agent.post(rowUrl('Main Line')).type('form').send({ _csrf: token, isAdmin: 'true' })).status).toBe(
      400,
    );
    expect(w.writes()).toBe(writesBefore); // the 400 page re-reads the row to show it again, but writes nothing
    expect((await emulatorRow('Main Line'))!.Message).toBe('All normal');
  });

  it('type checks from the live schema, with the message next to the field and the input kept', async () => {
    const agent = w.users.tableEditor.agent;
    const res = await agent
      .post(rowUrl('Main Line'))
      .type('form')
      .send({ _csrf: await csrfFrom(agent, rowUrl('Main Line')), 'f:Priority': '1.5', 'f:Message': 'kept text' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('must be a whole number');
    expect(res.text).toContain('value="kept text"');
  });

  it('viewers cannot edit, add or delete; editors without add/delete rights cannot either', async () => {
    for (const [agent, status] of [
      [w.users.viewer.agent, 403],
      [w.users.columnEditor.agent, 403],
    ] as const) {
      const token = await csrfFrom(agent, flagsUrl());
      expect((await agent.post(`${flagsUrl()}/rows`).type('form').send({ _csrf: token, 'f:key': 'New' })).status).toBe(
        status,
      );
      expect(
        (
          await agent
            .post(`${rowUrl('Main Line')}/delete`)
            .type('form')
            .send({ _csrf: token })
        ).status,
      ).toBe(status);
    }
    const token = await csrfFrom(w.users.viewer.agent, flagsUrl());
    expect(
      (await w.users.viewer.agent.post(rowUrl('Main Line')).type('form').send({ _csrf: token, 'f:Message': 'x' }))
        .status,
    ).toBe(403);
    expect(await emulatorRow('New')).toBeNull();
  });

  it('the table editor adds and deletes rows; the key is required and limited to 256 characters', async () => {
    const agent = w.users.tableEditor.agent;
    const token = await csrfFrom(agent, `${flagsUrl()}/new-row`);
    expect(
      (await agent.post(`${flagsUrl()}/rows`).type('form').send({ _csrf: token, 'f:Message': 'no key' })).status,
    ).toBe(400);
    expect(
      (
        await agent
          .post(`${flagsUrl()}/rows`)
          .type('form')
          .send({ _csrf: token, 'f:key': 'k'.repeat(257) })
      ).text,
    ).toContain('at most 256 characters');
    const created = await agent.post(`${flagsUrl()}/rows`).type('form').send({
      _csrf: token,
      'f:key': 'Fire Drill',
      'f:Message': 'Drill today',
      'b:Active': '1',
      'f:Active': 'on',
      'f:Priority': '2',
    });
    expect(created.status).toBe(303);
    expect(await emulatorRow('Fire Drill')).toMatchObject({ Active: true, Message: 'Drill today', Priority: 2 });
    const dup = await agent.post(`${flagsUrl()}/rows`).type('form').send({ _csrf: token, 'f:key': 'Fire Drill' });
    expect(dup.status).toBe(409);
    expect(dup.text).toContain('Genesys Cloud refused the change');
    expect(
      (
        await agent
          .post(`${rowUrl('Fire Drill')}/delete`)
          .type('form')
          .send({ _csrf: token })
      ).status,
    ).toBe(303);
    expect(await emulatorRow('Fire Drill')).toBeNull();
  });

  it('rights changes apply on the very next request', async () => {
    const agent = w.users.columnEditor.agent;
    const token = await csrfFrom(agent, rowUrl('Main Line'));
    await w.grant(w.users.columnEditor.id, w.flagsId, { canEdit: true, columns: { key: 'read', Message: 'read' } });
    expect((await agent.post(rowUrl('Main Line')).type('form').send({ _csrf: token, 'f:Message': 'x' })).status).toBe(
      403,
    );
    await w.t.db.tablePermission.deleteMany({ where: { userId: w.users.columnEditor.id } });
    expect((await agent.get(flagsUrl())).status).toBe(404);
  });

  it('a read-only org allows no writes, not even for admins', async () => {
    await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { readOnly: true } });
    const token = await csrfFrom(w.admin, rowUrl('Main Line'));
    const res = await w.admin.post(rowUrl('Main Line')).type('form').send({ _csrf: token, 'f:Message': 'x' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('is read-only');
    expect((await w.admin.get(rowUrl('Main Line'))).text).not.toContain('name="f:Message"');
  });

  it('every write is recorded write-ahead: intent with before/after, then the outcome', async () => {
    const agent = w.users.columnEditor.agent;
    await agent
      .post(rowUrl('Main Line'))
      .type('form')
      .send({ _csrf: await csrfFrom(agent, rowUrl('Main Line')), 'f:Message': 'Audited', reason: 'storm' });
    const events = await w.t.db.auditEvent.findMany({ where: { action: 'row.updated' }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.outcome)).toEqual(['intent', 'applied']);
    expect(events[0]).toMatchObject({
      actorId: w.users.columnEditor.id,
      rowKey: 'Main Line',
      reason: 'storm',
      tableId: w.flagsId,
      orgId: w.orgId,
    });
    expect(JSON.parse(events[0]!.before!)).toMatchObject({ Message: 'All normal' });
    expect(JSON.parse(events[0]!.after!)).toMatchObject({ Message: 'Audited' });
    expect(events[1]!.changeId).toBe(events[0]!.changeId);
  });
});

describe('scope comes from the route and the stored records', () => {
  it('refuses a body naming another table or org, and foreign tables, with zero calls to Genesys', async () => {
    const agent = w.users.columnEditor.agent;
    const token = await csrfFrom(agent, rowUrl('Main Line'));
    const before = w.apiCalls();
    const otherTable = await agent
      .post(rowUrl('Main Line'))
      .type('form')
      .send({ _csrf: token, tableId: w.hoursId, 'f:Message': 'x' });
    expect(otherTable.status).toBe(403);
    const otherOrg = await agent
      .post(rowUrl('Main Line'))
      .type('form')
      .send({ _csrf: token, orgId: 'some-other-org', 'f:Message': 'x' });
    expect(otherOrg.status).toBe(403);
    const foreign = await agent
      .post(`/tables/${w.hoursId}/rows/${encodeURIComponent('Sales/Mon')}`)
      .type('form')
      .send({ _csrf: token, 'f:Open': '01:00' });
    expect(foreign.status).toBe(404);
    const madeUp = await agent
      .post(`/tables/00000000-0000-0000-0000-000000000000/rows/x`)
      .type('form')
      .send({ _csrf: token, 'f:Message': 'x' });
    expect(madeUp.status).toBe(404);
    expect(w.apiCalls()).toBe(before);
  });

  it('rights granted in one org do not apply to the same table id in another org', async () => {
    const other = await w.t.services.orgs.create(ADMIN_ACTOR, {
      name: 'Other',
      region: 'us_east_1',
      clientId: 'x',
      clientSecret: 'y',
      color: 'blue',
      label: '',
      requestsPerMinute: '300',
    });
    const agent = w.users.tableEditor.agent;
    const token = await csrfFrom(agent, '/');
    // (Since issue 16 a user can switch only to an org where they may view some table: one there, not the flags.)
    await w.t.db.tablePermission.create({
      data: { userId: w.users.tableEditor.id, orgId: other.id, tableId: 'another-table', canView: true },
    });
    await agent.post('/orgs/current').type('form').send({ _csrf: token, orgId: other.id }).expect(303);
    const before = w.apiCalls();
    expect((await agent.get(flagsUrl())).status).toBe(404);
    expect(w.apiCalls()).toBe(before);
  });
});
