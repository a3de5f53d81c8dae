// The business user's daily work: finding rows (search, filters, sort, paging in the URL), exports,
// editing with conflict detection and per-row locks, renaming keys, bulk changes, and Genesys' refusals
// shown as clear messages.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfFrom } from '../helpers/test-app.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { pageOnceReady } from '../helpers/eventually.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

const flags = () => `/tables/${w.flagsId}`;
const rowUrl = (key: string) => `${flags()}/rows/${encodeURIComponent(key)}`;
const gw = () => w.t.services.orgs.gatewayFor(w.orgId);
const vipUrl = async () => `/tables/${(await (await gw()).listTables()).find((t) => t.name === 'VIP Customers')!.id}`;

describe('finding rows', () => {
  it('searches, filters, sorts and pages through the URL', async () => {
    const url = await vipUrl();
    const page = await w.admin.get(
      `${url}?c0=Tier&o0=equals&v0=diamond&c1=Priority&o1=gte&v1=4&sort=LifetimeValue&dir=desc&pageSize=25`,
    );
    expect(page.status).toBe(200);
    const matched = Number(/id="match-count">(\d+) of 2000 rows/.exec(page.text)![1]);
    const rows = (await (await gw()).readAllRows(url.split('/').pop()!)).filter(
      (r) => r.Tier === 'Diamond' && Number(r.Priority) >= 4,
    );
    expect(matched).toBe(rows.length);
    const values = [...page.text.matchAll(/data-column="LifetimeValue" data-value="([^"]+)"/g)].map((m) =>
      Number(m[1]),
    );
    expect(values).toHaveLength(Math.min(25, rows.length));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(page.text).toContain('aria-sort="descending"');
  });

  it('lists tables with their row counts', async () => {
    const list = await w.admin.get('/tables');
    expect(list.text).toMatch(/VIP Customers[\s\S]*?<td class="type-integer">2000<\/td>/);
  });
});

describe('exports', () => {
  it('exports what the user sees (visible columns, current filter) as spreadsheet-safe CSV and as JSON', async () => {
    const g = await gw();
    await g.updateRow(w.flagsId, 'Main Line', {
      key: 'Main Line',
      Active: false,
      Message: '=HYPERLINK("http://evil")',
      Priority: 1,
      ActivatedBy: 'CANARY-HIDDEN-9',
    });
    const csv = await w.users.viewer.agent.get(`${flags()}/export.csv?c0=key&o0=contains&v0=main`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="Emergency Flags \d{4}-\d\d-\d\d \(for spreadsheets\)\.csv"; filename\*=UTF-8''Emergency%20Flags/,
    );
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    expect(csv.text).toContain('key,Active,Message,Priority\r\n');
    expect(csv.text).toContain(`Main Line,false,"'=HYPERLINK(""http://evil"")",1`);
    expect(csv.text).not.toContain('CANARY-HIDDEN-9');
    expect(csv.text).not.toContain('Billing Queue');
    const json = await w.users.viewer.agent.get(`${flags()}/export.json`);
    const body = JSON.parse(json.text) as { rows: Record<string, unknown>[]; columns: string[] };
    expect(body.columns).toEqual(['key', 'Active', 'Message', 'Priority']);
    expect(body.rows).toHaveLength(4);
    expect(json.text).not.toContain('CANARY-HIDDEN-9');
    expect(await w.t.db.auditEvent.count({ where: { action: 'table.exported' } })).toBe(2);
  });

  it('offers an exact CSV (values as Genesys holds them, for re-import) beside the one for spreadsheets', async () => {
    const g = await gw();
    await g.createRow(w.flagsId, {
      key: '+44 20 7946 1000',
      Active: true,
      Message: ' =SUM(A1)',
      Priority: 2,
      ActivatedBy: 'CANARY-HIDDEN-10',
    });
    const page = await w.users.viewer.agent.get(flags());
    expect(page.text).toContain('export.csv?for=spreadsheet&amp;');
    expect(page.text).toContain('>Export CSV for spreadsheets</a>');
    expect(page.text).toContain('export.csv?for=exact&amp;');
    expect(page.text).toContain('>Export exact CSV</a>');

    const exact = await w.users.viewer.agent.get(`${flags()}/export.csv?for=exact&q=7946`);
    expect(exact.status).toBe(200);
    expect(exact.headers['content-disposition']).toMatch(/filename="Emergency Flags \d{4}-\d\d-\d\d \(exact\)\.csv"/);
    expect(exact.text).toBe('key,Active,Message,Priority\r\n+44 20 7946 1000,true, =SUM(A1),2\r\n');

    const spreadsheet = await w.users.viewer.agent.get(`${flags()}/export.csv?for=spreadsheet&q=7946`);
    expect(spreadsheet.text).toBe("\uFEFFkey,Active,Message,Priority\r\n'+44 20 7946 1000,true,' =SUM(A1),2\r\n");

    const unknown = await w.users.viewer.agent.get(`${flags()}/export.csv?for=raw`);
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('for=exact');
    const kinds = (
      await w.t.db.auditEvent.findMany({ where: { action: 'table.exported' }, orderBy: { seq: 'asc' } })
    ).map((e) => (JSON.parse(e.details!) as { csv?: string }).csv);
    expect(kinds).toEqual(['exact', 'spreadsheet']);
  });
});

describe('editing safely', () => {
  it('detects a conflicting change by someone else and shows theirs / yours / original', async () => {
    const agent = w.users.tableEditor.agent;
    const form = await agent.get(rowUrl('Main Line'));
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    // Someone else (here: straight through Genesys) changes Message and Priority meanwhile.
    const g = await gw();
    const now = (await g.getRow(w.flagsId, 'Main Line'))!;
    await g.updateRow(w.flagsId, 'Main Line', { ...now, Message: 'Their message', Priority: 5 });
    const res = await agent
      .post(rowUrl('Main Line'))
      .type('form')
      .send({
        _csrf: token,
        'f:Message': 'My message',
        'o:Message': String(now.Message),
        'f:ActivatedBy': 'me',
        'o:ActivatedBy': String(now.ActivatedBy),
      });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Someone else changed this row');
    expect(res.text).toContain('Their message');
    expect(res.text).toContain('My message');
    expect((await g.getRow(w.flagsId, 'Main Line'))!.Message).toBe('Their message');
    // "Save mine over theirs" posts with their value as the new baseline.
    const again = await agent
      .post(rowUrl('Main Line'))
      .type('form')
      .send({ _csrf: token, 'f:Message': 'My message', 'o:Message': 'Their message' });
    expect(again.status).toBe(303);
    expect(await g.getRow(w.flagsId, 'Main Line')).toMatchObject({ Message: 'My message', Priority: 5 }); // their Priority kept
  });

  it('keeps the typed reason on a form sent back with an error and on the conflict page', async () => {
    const agent = w.users.tableEditor.agent;
    const token = await csrfFrom(agent, '/account');
    const invalid = await agent
      .post(rowUrl('Main Line'))
      .type('form')
      .send({ _csrf: token, 'f:Priority': 'four', reason: 'INC-7 & co' });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toMatch(/<input id="reason" name="reason"[^>]*value="INC-7 &amp; co"/);
    const g = await gw();
    const now = (await g.getRow(w.flagsId, 'Main Line'))!;
    await g.updateRow(w.flagsId, 'Main Line', { ...now, Message: 'Their message' });
    const conflict = await agent
      .post(rowUrl('Main Line'))
      .type('form')
      .send({ _csrf: token, 'f:Message': 'Mine', 'o:Message': String(now.Message), reason: 'INC-7 & co' });
    expect(conflict.status).toBe(409);
    // "Save mine over theirs" sends the reason again: the audit keeps it, and an org requiring one accepts it.
    expect(conflict.text).toContain('<input type="hidden" name="reason" value="INC-7 &amp; co">');
  });

  it('keeps changes by others to columns the user did not change', async () => {
    const agent = w.users.columnEditor.agent;
    const g = await gw();
    const start = (await g.getRow(w.flagsId, 'Main Line'))!;
    await g.updateRow(w.flagsId, 'Main Line', { ...start, Priority: 4, Active: true });
    const res = await agent
      .post(rowUrl('Main Line'))
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/account'), 'f:Message': 'Mine', 'o:Message': String(start.Message) });
    expect(res.status).toBe(303);
    expect(await g.getRow(w.flagsId, 'Main Line')).toMatchObject({ Message: 'Mine', Priority: 4, Active: true });
  });

  it('two simultaneous saves of the same row from the app never both win', async () => {
    const a = w.users.tableEditor.agent;
    const b = w.admin;
    const start = (await (await gw()).getRow(w.flagsId, 'Main Line'))!;
    const [ta, tb] = [await csrfFrom(a, '/account'), await csrfFrom(b, '/account')];
    const [ra, rb] = await Promise.all([
      a
        .post(rowUrl('Main Line'))
        .type('form')
        .send({ _csrf: ta, 'f:Message': 'From A', 'o:Message': String(start.Message) }),
      b
        .post(rowUrl('Main Line'))
        .type('form')
        .send({ _csrf: tb, 'f:Message': 'From B', 'o:Message': String(start.Message) }),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([303, 409]);
    const applied = await w.t.db.auditEvent.count({ where: { action: 'row.updated', outcome: 'applied' } });
    expect(applied).toBe(1);
  });

  it('an org can make the reason mandatory for writes', async () => {
    await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { requireReason: true } });
    const agent = w.users.tableEditor.agent;
    const token = await csrfFrom(agent, '/account');
    const without = await agent.post(rowUrl('Main Line')).type('form').send({ _csrf: token, 'f:Message': 'No reason' });
    expect(without.status).toBe(400);
    expect(without.text).toContain('Give a reason for this change');
    expect((await (await gw()).getRow(w.flagsId, 'Main Line'))!.Message).not.toBe('No reason');
    const withReason = await agent
      .post(rowUrl('Main Line'))
      .type('form')
      .send({ _csrf: token, 'f:Message': 'With reason', reason: 'INC-42' });
    expect(withReason.status).toBe(303);
    expect(
      (await w.t.db.auditEvent.findFirstOrThrow({ where: { outcome: 'intent' }, orderBy: { seq: 'desc' } })).reason,
    ).toBe('INC-42');
  });

  it('shows Genesys refusals as a clear message on the form, e.g. a duplicate key', async () => {
    const agent = w.users.tableEditor.agent;
    const res = await agent
      .post(`${flags()}/rows`)
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/account'), 'f:key': 'Main Line' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Genesys Cloud refused the change');
    expect(res.text).toContain('value="Main Line"');
    expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('answers JSON for in-grid editing, through the same checks', async () => {
    const agent = w.users.columnEditor.agent;
    const token = await csrfFrom(agent, '/account');
    const ok = await agent
      .post(rowUrl('Main Line'))
      .set('Accept', 'application/json')
      .type('form')
      .send({ _csrf: token, 'f:Message': 'From the grid' });
    expect(ok.body).toMatchObject({
      ok: true,
      changed: ['Message'],
      row: { key: 'Main Line', Message: 'From the grid' },
    });
    expect(ok.body.row.ActivatedBy).toBeUndefined();
    const bad = await agent
      .post(rowUrl('Main Line'))
      .set('Accept', 'application/json')
      .type('form')
      .send({ _csrf: token, 'f:Priority': '7' });
    expect(bad.status).toBe(403);
    expect(bad.body).toMatchObject({ ok: false, error: expect.stringContaining('may not change') });
  });

  it('renames a key as delete + create, audited as one batch', async () => {
    const agent = w.users.tableEditor.agent;
    const res = await agent
      .post(`${rowUrl('Billing Queue')}/rename`)
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/account'), newKey: 'Billing Line' });
    expect(res.status).toBe(303);
    const g = await gw();
    expect(await g.getRow(w.flagsId, 'Billing Queue')).toBeNull();
    expect(await g.getRow(w.flagsId, 'Billing Line')).toMatchObject({ Priority: 2 });
    const events = await w.t.db.auditEvent.findMany({ where: { batchId: { not: null } }, orderBy: { seq: 'asc' } });
    expect(new Set(events.map((e) => e.batchId)).size).toBe(1);
    expect(events.map((e) => `${e.action}:${e.outcome ?? ''}`)).toEqual([
      'row.created:intent',
      'row.created:applied',
      'row.deleted:intent',
      'row.deleted:applied',
      'row.renamed:',
    ]);
  });
});

describe('bulk changes', () => {
  it('previews before -> after, applies in the background with progress, audits one batch', async () => {
    const agent = w.users.tableEditor.agent;
    const token = await csrfFrom(agent, '/account');
    const sel = ['Main Line', 'Billing Queue', 'Weather Closure'];
    const preview = await agent
      .post(`${flags()}/bulk/preview`)
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(token)}&action=set&column=Priority&value=9&${sel.map((s) => `sel=${encodeURIComponent(s)}`).join('&')}`,
      );
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Set Priority on 3 row(s)?');
    expect(preview.text).toMatch(/<td class="value">1<\/td><td class="value"><strong>9<\/strong><\/td>/);
    expect(await (await gw()).getRow(w.flagsId, 'Main Line')).toMatchObject({ Priority: 1 }); // nothing applied yet
    const apply = await agent
      .post(`${flags()}/bulk/apply`)
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(token)}&action=set&column=Priority&value=9&${sel.map((s) => `sel=${encodeURIComponent(s)}`).join('&')}`,
      );
    expect(apply.status).toBe(303);
    const whileWorking: string[] = [];
    const finished = (page: string) => {
      if (page.includes('Working…')) whileWorking.push(page);
      return !page.includes('Working…');
    };
    const progress = { text: await pageOnceReady(agent, apply.headers.location!, 'the bulk change', finished) };
    for (const page of whileWorking) expect(page).toContain('http-equiv="refresh"');
    expect(progress.text).toMatch(/id="bulk-done">3<\/span> of 3 row\(s\) processed/);
    for (const key of sel) expect((await (await gw()).getRow(w.flagsId, key))!.Priority).toBe(9);
    const applied = await w.t.db.auditEvent.findMany({ where: { action: 'row.updated', outcome: 'applied' } });
    expect(applied).toHaveLength(3);
    expect(new Set(applied.map((e) => e.batchId)).size).toBe(1);
  });

  it("refuses bulk changes beyond the user's rights and explains an empty selection", async () => {
    const token = await csrfFrom(w.users.columnEditor.agent, '/account');
    const del = await w.users.columnEditor.agent
      .post(`${flags()}/bulk/preview`)
      .type('form')
      .send({ _csrf: token, action: 'delete', sel: 'Main Line' });
    expect(del.status).toBe(403);
    const col = await w.users.columnEditor.agent
      .post(`${flags()}/bulk/preview`)
      .type('form')
      .send({ _csrf: token, action: 'set', column: 'Priority', value: '2', sel: 'Main Line' });
    expect(col.status).toBe(403);
    const empty = await w.users.columnEditor.agent
      .post(`${flags()}/bulk/preview`)
      .type('form')
      .send({ _csrf: token, action: 'set', column: 'Message', value: 'x' });
    expect(empty.status).toBe(303);
    expect((await w.users.columnEditor.agent.get(flags())).text).toContain('Select at least one row first.');
  });
});
