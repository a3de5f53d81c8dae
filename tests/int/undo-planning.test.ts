// Undo planning, through the undo service's public questions (nothing here writes): which changes of a batch can
// still be undone and why not, whether an entry can be undone at all, what the entry page offers whom, and what
// "restore the row to how it was after this change" would change. The changes are made through the app's pages;
// one world for the file, each part on its own rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastIntentSeq, permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { pageOnceReady } from '../helpers/eventually.js';
import { actorOfUser, csrfFrom, type Agent } from '../helpers/test-app.js';

let w: PermissionWorld;
beforeAll(async () => {
  w = await permissionWorld();
}, 60_000);
afterAll(async () => w.t.close());

const OTHERS_NEED_EDIT = 'Undoing another person’s change needs the edit right on this table.';
const gw = () => w.t.services.orgs.gatewayFor(w.orgId);
const user = (who: 'admin' | keyof PermissionWorld['users']) => actorOfUser(w.t, who === 'admin' ? 1 : w.users[who].id);

async function editRow(agent: Agent, key: string, fields: Record<string, string>) {
  const url = `/tables/${w.flagsId}/rows/${encodeURIComponent(key)}`;
  return agent
    .post(url)
    .type('form')
    .send({ _csrf: await csrfFrom(agent, '/account'), ...fields });
}

describe('a batch', () => {
  let batchId: string;
  beforeAll(async () => {
    const agent = w.users.tableEditor.agent;
    const sel = ['Main Line', 'Billing Queue', 'Weather Closure'].map((k) => `sel=${encodeURIComponent(k)}`).join('&');
    const apply = await agent
      .post(`/tables/${w.flagsId}/bulk/apply`)
      .type('form')
      .send(`_csrf=${encodeURIComponent(await csrfFrom(agent, '/account'))}&action=set&column=Priority&value=8&${sel}`);
    await pageOnceReady(agent, apply.headers.location!, 'the bulk edit', (page) => page.includes('>Done<'));
    batchId = (await w.t.db.auditEvent.findFirstOrThrow({ where: { batchId: { not: null }, action: 'row.updated' } }))
      .batchId!;
    // Since the batch: one row changed again, one deleted, one left as the batch wrote it.
    const g = await gw();
    await g.updateRow(w.flagsId, 'Weather Closure', {
      ...(await g.getRow(w.flagsId, 'Weather Closure'))!,
      Priority: 4,
    });
    await g.deleteRow(w.flagsId, 'Billing Queue');
  });

  it('lists its changes newest first, each undoable or with why not, and writes nothing', async () => {
    const writes = w.writes();
    const items = await w.t.services.undo.previewBatch(await user('tableEditor'), batchId);
    expect(items.map((i) => [i.rowKey, i.blocked])).toEqual([
      ['Weather Closure', 'the row has changed since'],
      ['Billing Queue', 'the row has changed since'],
      ['Main Line', null],
    ]);
    expect(items.map((i) => i.seq)).toEqual([...items.map((i) => i.seq)].sort((a, b) => b - a));
    expect(w.writes()).toBe(writes);
  });

  it('shows another person’s batch as blocked to someone without the edit right, not to an administrator', async () => {
    const viewer = await w.t.services.undo.previewBatch(await user('viewer'), batchId);
    expect(viewer.map((i) => i.blocked)).toEqual([OTHERS_NEED_EDIT, OTHERS_NEED_EDIT, OTHERS_NEED_EDIT]);
    const admin = await w.t.services.undo.previewBatch(await user('admin'), batchId);
    expect(admin.map((i) => i.blocked)).toEqual(['the row has changed since', 'the row has changed since', null]);
  });

  it('is "not found" to someone who sees none of it, exactly like a batch that does not exist', async () => {
    const unseen = w.t.services.undo.previewBatch(await user('none'), batchId);
    const missing = w.t.services.undo.previewBatch(await user('admin'), 'no-such-batch');
    await expect(unseen).rejects.toThrow('That batch has no applied changes to undo that you can see.');
    await expect(missing).rejects.toThrow('That batch has no applied changes to undo that you can see.');
  });
});

describe('one change', () => {
  let first: number;
  let second: number;
  beforeAll(async () => {
    const agent = w.users.tableEditor.agent;
    expect((await editRow(agent, 'IT Outage / Website', { 'f:Message': 'First', 'f:ActivatedBy': 'ops' })).status).toBe(
      303,
    );
    first = await lastIntentSeq(w, 'row.updated');
    expect((await editRow(agent, 'IT Outage / Website', { 'f:Message': 'Second' })).status).toBe(303);
    second = await lastIntentSeq(w, 'row.updated');
  });

  it('can be undone only when it is a row change that was applied', async () => {
    const tess = await user('tableEditor');
    expect(await w.t.services.undo.eligibility(tess, first)).toEqual({ ok: true, othersChange: false });
    expect(await w.t.services.undo.eligibility(await user('admin'), first)).toEqual({ ok: true, othersChange: true });
    const signIn = await w.t.db.auditEvent.findFirstOrThrow({ where: { action: { startsWith: 'auth.' } } });
    expect(await w.t.services.undo.eligibility(tess, signIn.seq)).toEqual({
      ok: false,
      why: 'Only row changes can be undone.',
      othersChange: false,
    });
    expect(await w.t.services.undo.eligibility(tess, 999_999)).toEqual({
      ok: false,
      why: 'Only row changes can be undone.',
      othersChange: false,
    });

    // A change Genesys refused was never applied: nothing to undo.
    w.t.services.sandbox.running!.faults.set([
      { method: 'PUT', path: '/api/v2/flows/datatables/**', action: { type: 'status', status: 400 } },
    ]);
    try {
      expect(
        (await editRow(w.users.tableEditor.agent, 'IT Outage / Website', { 'f:Message': 'Refused' })).status,
      ).toBeGreaterThanOrEqual(400);
    } finally {
      w.t.services.sandbox.running!.faults.clear();
    }
    const refused = await lastIntentSeq(w, 'row.updated');
    expect(refused).toBeGreaterThan(second);
    expect(await w.t.services.undo.eligibility(tess, refused)).toMatchObject({
      ok: false,
      why: 'This change was not applied in Genesys Cloud, so there is nothing to undo.',
    });
  });

  it('offers undo to its author and an administrator, and says why not to someone without the edit right', async () => {
    expect(await w.t.services.undo.undoOffer(await user('tableEditor'), second)).toEqual({
      ok: true,
      othersChange: false,
      refused: null,
    });
    expect(await w.t.services.undo.undoOffer(await user('admin'), second)).toEqual({
      ok: true,
      othersChange: true,
      refused: null,
    });
    expect(await w.t.services.undo.undoOffer(await user('viewer'), second)).toEqual({
      ok: true,
      othersChange: true,
      refused: OTHERS_NEED_EDIT,
    });
  });

  it('plans "restore to after this change" as the visible columns that differ, or nothing to do', async () => {
    const tess = await user('tableEditor');
    const back = await w.t.services.undo.restorePlan(tess, first);
    expect(back).toMatchObject({ columns: ['Message'], nothingToDo: false, refused: null });
    expect(back.then).toMatchObject({ Message: 'First' });
    expect(back.now).toMatchObject({ Message: 'Second' });
    expect((await w.t.services.undo.restorePlan(tess, second)).nothingToDo).toBe(true);

    // The viewer's preview names no column hidden from her, and says why she may not apply it.
    const viewer = await w.t.services.undo.restorePlan(await user('viewer'), first);
    expect(viewer.columns).toEqual(['Message']);
    expect(Object.keys(viewer.then!)).not.toContain('ActivatedBy');
    expect(Object.keys(viewer.now!)).not.toContain('ActivatedBy');
    expect(viewer.refused).toEqual(expect.any(String));
  });
});
