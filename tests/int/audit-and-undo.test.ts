// The audit pages and undo: who sees what, diffs, sign-ins recorded, undo of an update / create / delete
// through the same permission-checked path, conflicts with original/then/now, and admin-only force.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfFrom, signIn } from '../helpers/test-app.js';
import {
  PASSWORD,
  permissionWorld,
  plantHiddenCanary,
  type PermissionWorld,
  rowUrlIn,
} from '../helpers/permission-fixtures.js';
import { pageOnceReady } from '../helpers/eventually.js';
import { fillerEntry } from '../helpers/filler-audit.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
  await plantHiddenCanary(w, 'CANARY-HIDDEN-5'); // in a column hidden from the viewer and the column editor
});
afterEach(async () => w.t.close());

const rowUrl = (key: string) => rowUrlIn(w.flagsId, key);
const gw = () => w.t.services.orgs.gatewayFor(w.orgId);
async function edit(
  agent = w.users.tableEditor.agent,
  fields: Record<string, string> = { 'f:Message': 'Storm', 'f:ActivatedBy': 'ops' },
) {
  const res = await agent
    .post(rowUrl('Main Line'))
    .type('form')
    .send({ _csrf: await csrfFrom(agent, '/account'), ...fields, reason: 'weather' });
  expect(res.status).toBe(303);
  return (
    await w.t.db.auditEvent.findFirstOrThrow({
      where: { action: 'row.updated', outcome: 'intent' },
      orderBy: { seq: 'desc' },
    })
  ).seq;
}

describe('audit pages', () => {
  it('admins see everything, users only their tables and never hidden columns', async () => {
    const seq = await edit();
    const adminList = await w.admin.get('/audit');
    expect(adminList.text).toContain(`#${seq}`);
    const adminEntry = await w.admin.get(`/audit/${seq}`);
    expect(adminEntry.text).toContain('CANARY-HIDDEN-5');
    expect(adminEntry.text).toContain('Message (changed)');
    const viewer = w.users.viewer.agent;
    const entry = await viewer.get(`/audit/${seq}`);
    expect(entry.status).toBe(200);
    expect(entry.text).toContain('Storm');
    expect(entry.text).not.toContain('CANARY-HIDDEN-5');
    expect(entry.text).not.toContain('ActivatedBy');
    const list = await viewer.get('/audit');
    expect(list.text).toContain(`#${seq}`);
    expect(list.text).not.toContain('ActivatedBy');
    expect((await w.users.none.agent.get(`/audit/${seq}`)).status).toBe(404);
    expect((await w.users.none.agent.get('/audit')).text).toContain('No entries match.');
  });

  it('filters by row key, action, outcome and reason, and pages with keyset links', async () => {
    await edit();
    const byKey = await w.admin.get(`/audit?rowKey=${encodeURIComponent('Main Line')}&outcome=applied`);
    // (Actions read as people name them, "Row updated"; an outcome filter lists the outcome entries themselves.)
    expect(byKey.text).toMatch(/Row updated <span class="tag outcome-applied">applied<\/span>/);
    expect((await w.admin.get('/audit?reason=weather')).text).toContain('weather');
    const byPerson = await w.admin.get(`/audit?actorId=${w.users.tableEditor.id}&action=row.updated`);
    expect(byPerson.text).toContain('<option value="' + w.users.tableEditor.id + '" selected>Tess</option>');
    expect(byPerson.text).toMatch(/<td>Tess &lt;tess@example.com&gt;<\/td>/);
    expect((await w.admin.get(`/audit?actorId=${w.users.viewer.id}&action=row.updated`)).text).toContain(
      'No entries match.',
    );
    expect((await w.admin.get('/audit?reason=nothing-like-this')).text).toContain('No entries match.');
    for (let i = 0; i < 60; i++) await w.t.services.audit.record(fillerEntry('test.filler', { i }), null);
    const first = await w.admin.get('/audit?action=test.filler');
    const next = /href="\/audit\?action=test\.filler&amp;before=(\d+)"/.exec(first.text);
    expect(next).not.toBeNull();
    const second = await w.admin.get(`/audit?action=test.filler&before=${next![1]}`);
    expect((second.text.match(/<td>test\.filler/g) ?? []).length).toBe(10);
  });

  it("exports the filtered log as spreadsheet-safe CSV and JSON, with the reader's visibility rules", async () => {
    const seq = await edit();
    const csv = await w.users.viewer.agent.get('/audit/export.csv?action=row.updated');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="audit-log \d{4}-\d\d-\d\d\.csv"/);
    expect(csv.text).toContain(`${seq},`);
    expect(csv.text).not.toContain('CANARY-HIDDEN-5');
    const json = JSON.parse((await w.admin.get('/audit/export.json?action=row.updated')).text) as {
      entries: { seq: number; before: Record<string, unknown> }[];
    };
    expect(json.entries.map((e) => e.seq)).toContain(seq);
    expect(JSON.stringify(json)).toContain('CANARY-HIDDEN-5');
    const verify = await w.admin.get('/admin/audit/verify');
    expect(verify.text).toContain('Intact:');
  });

  it('records sign-ins and failed sign-ins', async () => {
    await signIn(w.t, 'vic@example.com', 'wrong password here');
    await signIn(w.t, 'vic@example.com', PASSWORD);
    const actions = (await w.t.db.auditEvent.findMany({ where: { action: { startsWith: 'auth.' } } })).map(
      (e) => e.action,
    );
    expect(actions).toContain('auth.sign_in_failed');
    expect(actions).toContain('auth.sign_in');
  });
});

describe('undo', () => {
  it('undoes an update: the changed columns go back, as a new audited change pointing at the old one', async () => {
    const seq = await edit();
    const res = await w.users.tableEditor.agent
      .post(`/audit/${seq}/undo`)
      .type('form')
      .send({ _csrf: await csrfFrom(w.users.tableEditor.agent, `/audit/${seq}`) });
    expect(res.status).toBe(303);
    expect(await (await gw()).getRow(w.flagsId, 'Main Line')).toMatchObject({
      Message: 'All normal',
      ActivatedBy: 'CANARY-HIDDEN-5',
    });
    const undo = await w.t.db.auditEvent.findFirstOrThrow({
      where: { action: 'row.updated', outcome: 'intent' },
      orderBy: { seq: 'desc' },
    });
    expect(JSON.parse(undo.details!)).toMatchObject({ reverts: seq });
    expect(undo.reason).toBe(`Undo of change #${seq}`);
    expect(await w.t.db.auditEvent.count({ where: { seq } })).toBe(1); // history untouched
  });

  it('refuses when the row changed since, shows original/then/now, and only an admin may force', async () => {
    const seq = await edit();
    const g = await gw();
    await g.updateRow(w.flagsId, 'Main Line', {
      ...(await g.getRow(w.flagsId, 'Main Line'))!,
      Message: 'Later change',
    });
    const agent = w.users.tableEditor.agent;
    const token = await csrfFrom(agent, '/account');
    const res = await agent.post(`/audit/${seq}/undo`).type('form').send({ _csrf: token });
    expect(res.status).toBe(409);
    expect(res.text).toContain('The row has changed since');
    expect(res.text).toContain('All normal');
    expect(res.text).toContain('Later change');
    expect(res.text).toContain('Only an administrator can force it.');
    expect((await agent.post(`/audit/${seq}/undo`).type('form').send({ _csrf: token, force: '1' })).status).toBe(403);
    expect((await g.getRow(w.flagsId, 'Main Line'))!.Message).toBe('Later change');
    const forced = await w.admin
      .post(`/audit/${seq}/undo`)
      .type('form')
      .send({ _csrf: await csrfFrom(w.admin, '/account'), force: '1' });
    expect(forced.status).toBe(303);
    expect((await g.getRow(w.flagsId, 'Main Line'))!.Message).toBe('All normal');
  });

  it('undoes a create (deletes the row) and a delete (re-creates it)', async () => {
    const agent = w.users.tableEditor.agent;
    const token = await csrfFrom(agent, '/account');
    await agent
      .post(`/tables/${w.flagsId}/rows`)
      .type('form')
      .send({ _csrf: token, 'f:key': 'Temp', 'f:Message': 'temporary' })
      .expect(303);
    const created = await w.t.db.auditEvent.findFirstOrThrow({
      where: { action: 'row.created', outcome: 'intent' },
      orderBy: { seq: 'desc' },
    });
    await agent.post(`/audit/${created.seq}/undo`).type('form').send({ _csrf: token }).expect(303);
    expect(await (await gw()).getRow(w.flagsId, 'Temp')).toBeNull();
    await agent
      .post(`${rowUrl('Billing Queue')}/delete`)
      .type('form')
      .send({ _csrf: token })
      .expect(303);
    const deleted = await w.t.db.auditEvent.findFirstOrThrow({
      where: { action: 'row.deleted', outcome: 'intent' },
      orderBy: { seq: 'desc' },
    });
    await agent.post(`/audit/${deleted.seq}/undo`).type('form').send({ _csrf: token }).expect(303);
    expect(await (await gw()).getRow(w.flagsId, 'Billing Queue')).toMatchObject({ Priority: 2 });
  });

  it('undoes a bulk edit as one unit, after a preview that names the rows changed since', async () => {
    const agent = w.users.tableEditor.agent;
    const token = await csrfFrom(agent, '/account');
    const sel = ['Main Line', 'Billing Queue', 'Weather Closure'];
    const body = `_csrf=${encodeURIComponent(token)}&action=set&column=Priority&value=8&${sel.map((s) => `sel=${encodeURIComponent(s)}`).join('&')}`;
    const apply = await agent.post(`/tables/${w.flagsId}/bulk/apply`).type('form').send(body);
    await pageOnceReady(agent, apply.headers.location!, 'the bulk edit', (page) => page.includes('>Done<'));
    const batchId = (
      await w.t.db.auditEvent.findFirstOrThrow({ where: { batchId: { not: null }, action: 'row.updated' } })
    ).batchId!;
    const g = await gw();
    await g.updateRow(w.flagsId, 'Weather Closure', {
      ...(await g.getRow(w.flagsId, 'Weather Closure'))!,
      Priority: 4,
    }); // changed since
    const preview = await agent.get(`/audit/batch/${batchId}`);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('2 of 3 change(s) can be undone');
    expect(preview.text).toContain('Not possible: the row has changed since');
    const undo = await agent.post(`/audit/batch/${batchId}/undo`).type('form').send({ _csrf: token });
    expect(undo.status).toBe(303);
    await w.t.services.jobs.idle(); // the batch undo is a job; its page is where the redirect goes
    expect((await g.getRow(w.flagsId, 'Main Line'))!.Priority).toBe(1);
    expect((await g.getRow(w.flagsId, 'Billing Queue'))!.Priority).toBe(2);
    expect((await g.getRow(w.flagsId, 'Weather Closure'))!.Priority).toBe(4);
    const newBatch = (await w.t.db.job.findUniqueOrThrow({ where: { id: undo.headers.location!.split('/').pop()! } }))
      .batchId!;
    expect(await w.t.db.auditEvent.count({ where: { batchId: newBatch, outcome: 'applied' } })).toBe(2);
    expect((await agent.get(undo.headers.location!)).text).toContain(
      'Undid 2 change(s) as one new batch. 1 could not be undone',
    );
  });

  it('restores a row as it was at a point in its history, with a preview', async () => {
    const first = await edit(w.users.tableEditor.agent, { 'f:Message': 'Version one' });
    await edit(w.users.tableEditor.agent, { 'f:Message': 'Version two', 'f:Priority': '4' });
    const preview = await w.admin.get(`/audit/${first}/restore`);
    expect(preview.text).toContain('These columns will change back');
    expect(preview.text).toMatch(/Message<\/th><td[^>]*>Version two<\/td><td[^>]*><strong>Version one/);
    const res = await w.admin
      .post(`/audit/${first}/restore`)
      .type('form')
      .send({ _csrf: await csrfFrom(w.admin, '/account') });
    expect(res.status).toBe(303);
    expect(await (await gw()).getRow(w.flagsId, 'Main Line')).toMatchObject({ Message: 'Version one', Priority: 1 });
    const last = await w.t.db.auditEvent.findFirstOrThrow({ where: { outcome: 'intent' }, orderBy: { seq: 'desc' } });
    expect(JSON.parse(last.details!)).toMatchObject({ restoresTo: first });
    expect((await w.admin.get(`/audit/${first}/restore`)).text).toContain('Nothing to restore');
  });

  it('needs the rights now: a column editor cannot undo a change to a column they may not write', async () => {
    const seq = await edit(w.users.tableEditor.agent, { 'f:Priority': '3' });
    const agent = w.users.columnEditor.agent;
    const res = await agent
      .post(`/audit/${seq}/undo`)
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/account') });
    expect(res.status).toBe(403);
    expect((await (await gw()).getRow(w.flagsId, 'Main Line'))!.Priority).toBe(3);
  });
});
