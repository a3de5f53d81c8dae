// The change-request pages through the real app: Tess (every right on Emergency Flags) saves a form as a
// request, Vic (viewer of Flags with the approve right, ActivatedBy hidden from him) reviews it, Nora (no
// rights) gets 404. A column hidden from a viewer never reaches the HTML of any request page or refusal (R2);
// the author cannot approve her own request (R2); refusals and bad input show on the page with a message
// naming the problem; nothing reaches Genesys before approval.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm, rowUrlIn, sandboxTable, type PermissionWorld } from '../helpers/permission-fixtures.js';
import type { Agent } from '../helpers/test-app.js';
import { approvalWorld } from '../helpers/request-page-fixtures.js';

const CANARY = 'hidden-canary-7d1f';

let w: PermissionWorld;
let tess: Agent;
let vic: Agent;
let nora: Agent;
beforeAll(async () => {
  w = await approvalWorld(CANARY);
  tess = w.users.tableEditor.agent;
  vic = w.users.viewer.agent;
  nora = w.users.none.agent;
}, 60_000);
afterAll(async () => w.t.close());

const mainLine = () => rowUrlIn(w.flagsId, 'Main Line');
const flagRow = (key: string) => sandboxTable(w, 'Emergency Flags').rows.get(key)!;
const idFrom = (location: string) => decodeURIComponent(location.replace('/requests/', ''));
/** The request's page address and its version as the page shows it. */
async function versionOn(agent: Agent, id: string): Promise<string> {
  const page = await agent.get(`/requests/${id}`);
  return /name="version" value="(\d+)"/.exec(page.text)![1]!;
}

/** Tess saves the row form of Main Line as a request (submitted at once unless `intent` says draft). */
async function request(fields: Record<string, string>, intent = 'submit') {
  const res = await postForm(tess, `${mainLine()}/request`, {
    'f:Message': 'Closed for snow',
    'o:Message': 'All normal',
    'r:title': 'Snow closure',
    'r:intent': intent,
    ...fields,
  });
  expect(res.status, res.text.slice(0, 500)).toBe(303);
  return idFrom(res.headers.location!);
}

describe('saving a form as a change request', () => {
  it('under the approval policy the row form offers "Submit for approval", not a direct save', async () => {
    const page = await tess.get(mainLine());
    expect(page.status).toBe(200);
    expect(page.text).toContain('Submit for approval');
    expect(page.text).not.toMatch(/class="button primary">Save</);
    expect(page.text).toContain(`${mainLine()}/request`);
  });

  it('under the approval policy the table page offers no editing in place (administrators keep it)', async () => {
    const tablePage = `/tables/${encodeURIComponent(w.flagsId)}`;
    const page = await tess.get(tablePage);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-column="Message"');
    expect(page.text).not.toContain('data-writable="1"');
    expect((await w.admin.get(tablePage)).text).toContain('data-writable="1"');
  });

  it('keeps the change without writing it, and the approver sees it waiting with the badge', async () => {
    const writes = w.writes();
    const id = await request({});
    expect(w.writes()).toBe(writes);
    expect(flagRow('Main Line').Message).toBe('All normal');
    const home = await vic.get('/');
    expect(home.text).toMatch(/id="requests-waiting">\(1\)</);
    const list = await vic.get('/requests');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Waiting for me');
    expect(list.text).toContain(`/requests/${id}`);
    const page = await vic.get(`/requests/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Closed for snow');
    expect(page.text).toContain('Approve version');
    expect(page.text).not.toContain('ActivatedBy');
    expect(page.text).not.toContain(CANARY);
  });

  it('names a missing title beside the field and saves nothing', async () => {
    const before = await w.t.db.changeRequest.count();
    const res = await postForm(tess, `${mainLine()}/request`, { 'f:Message': 'x', 'r:intent': 'draft' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Give the change request a title');
    expect(res.text).toContain('id="r-title-error"');
    expect(await w.t.db.changeRequest.count()).toBe(before);
  });

  it('names a local time the clocks skip in the org zone', async () => {
    const res = await postForm(tess, `${mainLine()}/request`, {
      'f:Message': 'x',
      'r:title': 'Spring forward',
      'r:intent': 'submit',
      'r:applyAt': '2027-03-28T02:30',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('does not exist in Europe/Berlin');
    expect(res.text).toContain('id="r-apply-at-error"');
  });
});

describe('"Submit for approval" with a schedule the service refuses', () => {
  it('keeps the draft and names each problem, not just "correct the schedule"', async () => {
    for (const [times, message] of [
      [
        { 'r:applyAt': '2030-01-10T18:00', 'r:revertAt': '2030-01-10T07:00' },
        'The revert time must be after the apply time.',
      ],
      [{ 'r:applyAt': '2020-01-10T18:00' }, 'The apply time is in the past'],
    ] as const) {
      const id = await request(times);
      const page = await tess.get(`/requests/${id}`);
      expect(page.text).toContain('Saved as a draft, not submitted');
      expect(page.text).toContain(message);
    }
  });
});

describe('the delete page and the bulk preview', () => {
  it('save a deletion and a bulk change as requests, writing nothing', async () => {
    const writes = w.writes();
    const del = await postForm(tess, rowUrlIn(w.flagsId, 'Weather Closure') + '/delete/request', {
      reason: 'Not needed any more',
      'r:title': 'Remove the weather flag',
      'r:intent': 'draft',
    });
    expect(del.status, del.text.slice(0, 300)).toBe(303);
    const deletion = await w.t.db.changeRequestRow.findFirstOrThrow({
      where: { requestId: idFrom(del.headers.location!) },
    });
    expect([deletion.kind, deletion.key]).toEqual(['delete', 'Weather Closure']);

    const preview = await postForm(tess, `/tables/${w.flagsId}/bulk/preview`, {
      action: 'set',
      column: 'Priority',
      value: '5',
      sel: ['Main Line', 'Billing Queue'] as unknown as string,
    });
    expect(preview.text).toContain(`/tables/${w.flagsId}/bulk/request`);
    const bulk = await postForm(tess, `/tables/${w.flagsId}/bulk/request`, {
      action: 'set',
      column: 'Priority',
      value: '5',
      sel: ['Main Line', 'Billing Queue'] as unknown as string,
      'r:title': 'Priorities up',
      'r:intent': 'draft',
    });
    expect(bulk.status, bulk.text.slice(0, 300)).toBe(303);
    const rows = await w.t.db.changeRequestRow.findMany({ where: { requestId: idFrom(bulk.headers.location!) } });
    expect(rows.map((r) => [r.key, r.requested])).toEqual([
      ['Main Line', '{"Priority":5}'],
      ['Billing Queue', '{"Priority":5}'],
    ]);
    expect(w.writes()).toBe(writes);
  });

  it('a bulk request without a title goes back to the table with the message', async () => {
    const res = await postForm(tess, `/tables/${w.flagsId}/bulk/request`, {
      action: 'set',
      column: 'Priority',
      value: '5',
      sel: 'Main Line',
    });
    expect(res.status).toBe(303);
    expect((await tess.get(res.headers.location!)).text).toContain('Give the change request a title.');
  });
});

describe('the direct save beside it', () => {
  it("still saves a form that carries the request fields (they are the request button's, not columns)", async () => {
    await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { changePolicy: 'direct' } });
    try {
      const res = await postForm(tess, rowUrlIn(w.flagsId, 'Billing Queue'), {
        'f:Message': 'Saved directly',
        'r:title': '',
        'r:applyAt': '',
      });
      expect(res.status, res.text.slice(0, 300)).toBe(303);
      expect(flagRow('Billing Queue').Message).toBe('Saved directly');
    } finally {
      await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { changePolicy: 'approval' } });
    }
  });
});

describe('the review page', () => {
  it('shows the author no approve form, and refuses her crafted approval with a message (R2)', async () => {
    const id = await request({});
    const page = await tess.get(`/requests/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Approve version');
    const res = await postForm(tess, `/requests/${id}/approve`, { version: await versionOn(tess, id) });
    expect(res.status).toBe(403);
    expect(res.text).toContain('id="request-error"');
    expect(res.text).toContain('Snow closure'); // the page itself, not a bare error
  });

  it('hides the request from someone without view on its table (404), and the list shows none', async () => {
    const id = await request({});
    expect((await nora.get(`/requests/${id}`)).status).toBe(404);
    const res = await postForm(nora, `/requests/${id}/comment`, { comment: 'hi' });
    expect(res.status).toBe(404);
    expect((await nora.get('/requests')).text).not.toContain(`/requests/${id}`);
  });

  it('a request writing a column hidden from the approver: never shown, approval refused without naming it (R2)', async () => {
    const id = await request({ 'f:ActivatedBy': `${CANARY}-new`, 'o:ActivatedBy': CANARY });
    const page = await vic.get(`/requests/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Approve version');
    for (const text of [page.text, (await vic.get('/requests')).text]) {
      expect(text).not.toContain('ActivatedBy');
      expect(text).not.toContain(CANARY);
    }
    const refused = await postForm(vic, `/requests/${id}/approve`, { version: await versionOn(vic, id) });
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('ActivatedBy');
    expect(refused.text).not.toContain(CANARY);
    const row = await w.t.db.changeRequestRow.findFirstOrThrow({ where: { requestId: id } });
    const edit = await postForm(vic, `/requests/${id}/approve`, {
      version: await versionOn(vic, id),
      [`edit:${row.id}:ActivatedBy`]: 'mine',
    });
    expect(edit.status).toBeGreaterThanOrEqual(400);
    expect(edit.text).not.toContain(CANARY);
  });

  it('reject needs a reason, named beside the field', async () => {
    const id = await request({});
    const res = await postForm(vic, `/requests/${id}/reject`, { version: await versionOn(vic, id), reason: ' ' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Give a reason for rejecting the request.');
    expect(res.text).toContain('id="reject-reason-error"');
    const ok = await postForm(vic, `/requests/${id}/reject`, { version: '1', reason: 'Not this week' });
    expect(ok.status).toBe(303);
    expect((await vic.get(`/requests/${id}`)).text).toContain('Rejected');
  });

  it('an approval of a version the page no longer shows is refused (409) on the page', async () => {
    const id = await request({});
    const res = await postForm(vic, `/requests/${id}/approve`, { version: '99' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('id="request-error"');
  });

  it('the approver may change a value before approving; a bad value is named beside its input', async () => {
    const id = await request({ 'f:Priority': '2', 'o:Priority': '1' });
    const page = await vic.get(`/requests/${id}`);
    // Vic has no write right on Flags: no inputs for him.
    expect(page.text).not.toContain('name="edit:');
    await w.grant(w.users.viewer.id, w.flagsId, {
      canApprove: true,
      canEdit: true,
      columns: { key: 'read', Active: 'read', Message: 'write', Priority: 'write', ActivatedBy: 'hidden' },
    });
    const editable = await vic.get(`/requests/${id}`);
    const rowId = /name="edit:(\d+):Priority"/.exec(editable.text)![1]!;
    const bad = await postForm(vic, `/requests/${id}/approve`, {
      version: await versionOn(vic, id),
      [`edit:${rowId}:Priority`]: 'many',
      [`shown:${rowId}:Priority`]: '2',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/Priority must be a whole number/);
    const good = await postForm(vic, `/requests/${id}/approve`, {
      version: await versionOn(vic, id),
      [`edit:${rowId}:Priority`]: '3',
      [`shown:${rowId}:Priority`]: '2',
    });
    expect(good.status).toBe(303);
    await w.t.services.jobs.idle();
    expect(flagRow('Main Line').Priority).toBe(3);
    expect(flagRow('Main Line').ActivatedBy).toBe(CANARY); // a column nobody asked to change stays
    await w.grant(w.users.viewer.id, w.flagsId, {
      canApprove: true,
      columns: { key: 'read', Active: 'read', Message: 'read', Priority: 'read', ActivatedBy: 'hidden' },
    });
  });

  it('the author schedules in the org zone; a revert before the apply is named', async () => {
    const id = await request({ 'f:Message': 'Closed for the holidays' }, 'draft');
    const page = await tess.get(`/requests/${id}`);
    expect(page.text).toContain('type="datetime-local"');
    const bad = await postForm(tess, `/requests/${id}/submit`, {
      version: '1',
      applyAt: '2030-01-10T18:00',
      revertAt: '2030-01-10T07:00',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('The revert time must be after the apply time.');
    expect(bad.text).toContain('value="2030-01-10T07:00"');
    const ok = await postForm(tess, `/requests/${id}/submit`, {
      version: '1',
      applyAt: '2030-01-10T18:00',
      revertAt: '2030-01-13T07:00',
    });
    expect(ok.status).toBe(303);
    const shown = await tess.get(`/requests/${id}`);
    expect(shown.text).toContain('Thu 10 Jan 2030, 18:00 (CET, UTC+01:00)');
    const stored = await w.t.db.changeRequest.findUniqueOrThrow({ where: { id } });
    expect(stored.applyAt!.toISOString()).toBe('2030-01-10T17:00:00.000Z');
  });
});
