// The audit log read by people (issue 16): one line per change with its outcome, table names, action labels,
// a table filter of the reader's tables, word-level diffs, times in the reader's zone with UTC on hover; undo
// previews (one change, a batch) that read only and never show hidden columns; an undone change offers no
// second undo; the conflict page's "Keep theirs"; delete and row forms' Yes/No, required marks and hints.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfFrom } from '../helpers/test-app.js';
import {
  lastIntentSeq,
  PASSWORD,
  permissionWorld,
  plantHiddenCanary,
  postForm as post,
  type PermissionWorld,
  rowUrlIn,
} from '../helpers/permission-fixtures.js';
import { pageOnceReady } from '../helpers/eventually.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
  await plantHiddenCanary(w, 'CANARY-HIDDEN-16'); // ActivatedBy: hidden from the viewer and the column editor
});
afterEach(async () => w.t.close());

const rowUrl = (key: string) => rowUrlIn(w.flagsId, key);
const auditCount = () => w.t.db.auditEvent.count();

/** An admin's edit of Main Line touching a visible and the hidden column (the canary goes). */
async function adminEdit(fields: Record<string, string>) {
  expect((await post(w.admin, rowUrl('Main Line'), fields)).status).toBe(303);
  return lastIntentSeq(w, 'row.updated');
}

describe('the audit list, read by people', () => {
  it('shows one line per change with its outcome, the table’s name and the action’s label', async () => {
    const seq = await adminEdit({ 'f:Message': 'Closed for the holiday', reason: 'holiday closure' });
    const page = await w.users.viewer.agent.get('/audit');
    expect(page.status).toBe(200);
    const line = new RegExp(
      `href="/audit/${seq}">#${seq}</a></td>[\\s\\S]*?Row updated <span class="tag outcome-applied">applied</span>[\\s\\S]*?<td>Emergency Flags</td>`,
    );
    expect(page.text).toMatch(line);
    // The outcome entry of the same change is not a line of its own (it is in the intent's tag)...
    const outcome = await w.t.db.auditEvent.findFirstOrThrow({
      where: { outcome: 'applied' },
      orderBy: { seq: 'desc' },
    });
    expect(page.text).not.toContain(`href="/audit/${outcome.seq}"`);
    // ... also under a reason search (folded on the page rather than in SQL) ...
    const byReason = await w.users.viewer.agent.get('/audit?reason=holiday');
    expect(byReason.text).toContain(`href="/audit/${seq}"`);
    expect(byReason.text).not.toContain(`href="/audit/${outcome.seq}"`);
    // ... unless the reader asks for outcomes.
    expect((await w.users.viewer.agent.get('/audit?outcome=applied')).text).toContain(`href="/audit/${outcome.seq}"`);
    expect(page.text).not.toContain('row.updated<');
    expect(page.text).not.toContain('CANARY-HIDDEN-16');
  });

  it('filters by table, offering only tables the reader may see', async () => {
    const g = await w.t.services.orgs.gatewayFor(w.orgId);
    await adminEdit({ 'f:Message': 'Flags change' });
    const hoursKey = (await g.readAllRows(w.hoursId))[0]!.key;
    expect((await post(w.admin, rowUrlIn(w.hoursId, String(hoursKey)), { 'f:Open': '07:30' })).status).toBe(303);
    const viewer = await w.users.viewer.agent.get('/audit');
    expect(viewer.text).toContain(`<option value="${w.flagsId}" >Emergency Flags</option>`);
    expect(viewer.text).not.toContain('Opening Hours');
    const admin = await w.admin.get('/audit');
    expect(admin.text).toContain('Opening Hours');
    const onlyHours = await w.admin.get(`/audit?tableId=${w.hoursId}`);
    expect(onlyHours.text).toContain(`<option value="${w.hoursId}" selected>Opening Hours</option>`);
    expect(onlyHours.text).toContain('<td>Opening Hours</td>');
    expect(onlyHours.text).not.toContain('<td>Emergency Flags</td>');
    // Asking for a table she may not see shows her nothing of it.
    const probe = await w.users.viewer.agent.get(`/audit?tableId=${w.hoursId}`);
    expect(probe.text).toContain('No entries match.');
  });

  it('never shows another org’s entries, even about a table id she may see', async () => {
    await w.t.services.audit.record(
      {
        action: 'row.updated',
        orgId: 'another-org',
        tableId: w.flagsId,
        rowKey: 'Main Line',
        outcome: 'intent',
        changeId: 'other-org-change',
        before: { key: 'Main Line', Message: 'OTHER-ORG-BEFORE' },
        after: { key: 'Main Line', Message: 'OTHER-ORG-AFTER' },
        details: { changed: ['Message'] },
      },
      null,
    );
    const seq = (await w.t.db.auditEvent.findFirstOrThrow({ where: { changeId: 'other-org-change' } })).seq;
    const list = await w.users.viewer.agent.get('/audit');
    expect(list.text).not.toContain('OTHER-ORG');
    expect(list.text).not.toContain(`href="/audit/${seq}"`);
    expect((await w.users.viewer.agent.get(`/audit/${seq}`)).status).toBe(404);
    expect((await w.users.viewer.agent.get(`/audit/${seq}/undo`)).status).toBe(404);
    expect((await w.admin.get('/audit')).text).toContain(`href="/audit/${seq}"`); // positive control
  });

  it('shows word-level diffs with <del>/<ins> on the entry page', async () => {
    await adminEdit({ 'f:Message': 'Open for the weekend' });
    const seq = await adminEdit({ 'f:Message': 'Closed for the weekend' });
    const page = await w.users.viewer.agent.get(`/audit/${seq}`);
    expect(page.text).toContain('<del>Open</del> for the weekend');
    expect(page.text).toContain('<ins>Closed</ins> for the weekend');
    expect(page.text).not.toContain('CANARY-HIDDEN-16');
    expect(page.text).not.toContain('ActivatedBy');
  });
});

describe('times in the reader’s time zone', () => {
  const at = async (agent = w.users.viewer.agent) =>
    /<time datetime="([^"]+)" title="([^"]+)">([^<]+)<\/time>/.exec((await agent.get('/audit')).text);

  it('default to UTC, then the zone the browser reported at sign-in, then the account’s setting', async () => {
    await adminEdit({ 'f:Message': 'Zoned' });
    const utc = (await at())!;
    expect(utc[2]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(utc[3]).toMatch(/UTC$/);
    // Signing in with the browser's zone (the hidden field public/js/browser-zone.js fills).
    const agent = w.t.agent();
    const login = await csrfFrom(agent, '/login');
    await agent
      .post('/login')
      .type('form')
      .send({ _csrf: login, email: 'vic@example.com', password: PASSWORD, timeZone: 'Asia/Tokyo' });
    const tokyo = (await at(agent))!;
    expect(tokyo[2]).toBe(utc[2]); // the hover text stays UTC
    const hour = (s: string | undefined) => Number(/ (\d\d):/.exec(s ?? '')![1]);
    expect((hour(tokyo[3]) - hour(utc[3]) + 24) % 24).toBe(9);
    // The account setting wins over the browser's.
    const token = await csrfFrom(agent, '/account');
    const saved = await agent
      .post('/account/time-zone')
      .type('form')
      .send({ _csrf: token, timeZone: 'America/New_York' });
    expect(saved.status).toBe(303);
    const ny = (await at(agent))!;
    expect(ny[3]).toMatch(/EST$|EDT$|GMT-[45]$/);
    expect((await agent.get('/account')).text).toContain('<option value="America/New_York" selected>');
    // A zone that does not exist is refused at the field; nothing is stored.
    const bad = await agent.post('/account/time-zone').type('form').send({ _csrf: token, timeZone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('is not a time zone');
    expect((await w.t.db.user.findFirstOrThrow({ where: { email: 'vic@example.com' } })).timeZone).toBe(
      'America/New_York',
    );
  });
});

describe('undo previews', () => {
  it('one change: a page listing what goes back, read-only; no browser confirm; after it, no second undo', async () => {
    const seq = await adminEdit({ 'f:Message': 'Storm warning', 'f:ActivatedBy': 'CANARY-HIDDEN-16-NEW' });
    const agent = w.users.tableEditor.agent;
    const entry = await agent.get(`/audit/${seq}`);
    expect(entry.text).not.toContain('data-confirm');
    expect(entry.text).toContain(`href="/audit/${seq}/undo"`);
    const [writes, entries] = [w.writes(), await auditCount()];
    const preview = await agent.get(`/audit/${seq}/undo`);
    expect(preview.status).toBe(200);
    expect(preview.text).toMatch(
      /<th scope="row">Message<\/th><td class="value word-diff"><del>Storm warning<\/del><\/td><td class="value word-diff"><ins>All normal<\/ins>/,
    );
    expect(preview.text).toContain('All normal'); // the value it goes back to
    expect(w.writes()).toBe(writes); // GET never writes: not to Genesys...
    expect(await auditCount()).toBe(entries); // ... nor to the log
    // The column editor may not see ActivatedBy: never named or shown in her preview.
    const cole = await w.users.columnEditor.agent.get(`/audit/${seq}/undo`);
    expect(cole.text).not.toContain('ActivatedBy');
    expect(cole.text).not.toContain('CANARY-HIDDEN-16');
    expect(cole.text).not.toContain('>Undo this change</button>');

    expect((await post(agent, `/audit/${seq}/undo`)).status).toBe(303);
    const after = await agent.get(`/audit/${seq}`);
    expect(after.text).toMatch(/This change was undone by Tess[^<]* at <time[\s\S]*?href="\/audit\/(\d+)">change #\1/);
    expect(after.text).not.toContain(`href="/audit/${seq}/undo"`);
    expect((await agent.get(`/audit/${seq}/undo`)).text).not.toContain('>Undo this change</button>');
    expect((await post(agent, `/audit/${seq}/undo`)).status).toBe(400); // and the POST refuses it too
  });

  it('a batch: per row and column, hidden columns never shown; runs as a job; then says it was undone', async () => {
    const agent = w.users.columnEditor.agent;
    const sel = ['Main Line', 'Billing Queue'];
    const token = await csrfFrom(agent, '/account');
    const body = `_csrf=${encodeURIComponent(token)}&action=set&column=Message&value=${encodeURIComponent('Bulk note')}&${sel.map((s) => `sel=${encodeURIComponent(s)}`).join('&')}`;
    const apply = await agent.post(`/tables/${w.flagsId}/bulk/apply`).type('form').send(body);
    await pageOnceReady(agent, apply.headers.location!, 'the bulk edit', (page) => page.includes('>Done<'));
    const batchId = (
      await w.t.db.auditEvent.findFirstOrThrow({ where: { batchId: { not: null }, action: 'row.updated' } })
    ).batchId!;
    const [writes, entries] = [w.writes(), await auditCount()];
    const preview = await agent.get(`/audit/batch/${batchId}`);
    expect(preview.status).toBe(200);
    expect(w.writes()).toBe(writes);
    expect(await auditCount()).toBe(entries);
    expect(preview.text).toContain('Undo 2 change(s) as one unit?');
    expect((preview.text.match(/<th scope="row">Message<\/th>/g) ?? []).length).toBe(2);
    expect(preview.text).toContain('<del>Bulk note</del>');
    expect(preview.text).toContain('Emergency Flags');
    expect(preview.text).not.toContain('ActivatedBy');
    expect(preview.text).not.toContain('CANARY-HIDDEN-16');
    const undo = await agent.post(`/audit/batch/${batchId}/undo`).type('form').send({ _csrf: token });
    expect(undo.headers.location).toMatch(/^\/jobs\//);
    await w.t.services.jobs.idle();
    const job = await agent.get(undo.headers.location!);
    expect(job.text).toContain('<progress');
    expect(job.text).toContain('Undid 2 change(s)');
    const again = await agent.get(`/audit/batch/${batchId}`);
    expect(again.text).toContain('This batch was undone');
    expect(again.text).toMatch(/by Cole[^<]* at <time[\s\S]*?see the undo/);
    expect(again.text).not.toContain('>Undo 2 change(s)</button>');
    expect((await agent.post(`/audit/batch/${batchId}/undo`).type('form').send({ _csrf: token })).status).toBe(400);
  });
});

describe('the row pages around the grid', () => {
  it('“Keep theirs” keeps her other edits and names who made the other change', async () => {
    const tess = w.users.tableEditor.agent;
    const form = await tess.get(rowUrl('Main Line'));
    expect(form.status).toBe(200);
    await adminEdit({ 'f:Message': 'Admin wrote this' }); // the other change, after she opened the form
    const conflict = await post(tess, rowUrl('Main Line'), {
      'f:Message': 'Tess wrote this',
      'o:Message': 'All normal',
      'f:Priority': '7',
      'o:Priority': '1',
    });
    expect(conflict.status).toBe(409);
    expect(conflict.text).toMatch(/The other change was made by <strong>Ada Admin[^<]*<\/strong> at <time/);
    expect(conflict.text).toContain('Keep theirs and save my other changes');
    const keep = /<form method="post" action="([^"]+)" class="inline">((?:(?!<form)[\s\S])*?)Keep theirs and save/.exec(
      conflict.text,
    )!;
    const fields = Object.fromEntries(
      [...keep[2]!.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    expect(fields['f:Message']).toBeUndefined(); // the conflicting column keeps theirs
    expect(fields['f:Priority']).toBe('7');
    expect((await tess.post(keep[1]!).type('form').send(fields)).status).toBe(303);
    const row = await (await w.t.services.orgs.gatewayFor(w.orgId)).getRow(w.flagsId, 'Main Line');
    expect(row).toMatchObject({ Message: 'Admin wrote this', Priority: 7 });
  });

  it('a conflict from outside the app says so', async () => {
    const g = await w.t.services.orgs.gatewayFor(w.orgId);
    await g.updateRow(w.flagsId, 'Main Line', { ...(await g.getRow(w.flagsId, 'Main Line'))!, Message: 'Outside' });
    const conflict = await post(w.users.tableEditor.agent, rowUrl('Main Line'), {
      'f:Message': 'Mine',
      'o:Message': 'All normal',
    });
    expect(conflict.status).toBe(409);
    expect(conflict.text).toContain('made outside this app');
    expect(conflict.text).toContain('Keep theirs (edit again from the current values)');
  });

  it('delete pages read booleans as Yes/No; row forms mark required fields and give type hints', async () => {
    const del = await w.users.tableEditor.agent.get(`${rowUrl('Main Line')}/delete`);
    expect(del.text).toMatch(/<dt>Active<\/dt><dd class="value">No<\/dd>/);
    expect(del.text).not.toMatch(/<dd class="value">false<\/dd>/);
    const add = await w.users.tableEditor.agent.get(`/tables/${w.flagsId}/new-row`);
    expect(add.text).toMatch(/\(key\)<\/span> <span class="required-mark" aria-hidden="true">\*<\/span>/);
    expect(add.text).toMatch(/id="field-key"[^>]*required/);
    expect(add.text).toContain('A whole number, e.g. 42.');
    expect(add.text).toMatch(/id="field-Priority"[^>]*aria-describedby="field-Priority-hint"/);
    expect(add.text).toContain('Ticked means Yes, not ticked No.');
  });
});
