// Issue 16: a range pasted into the grid becomes a bulk change with a preview and applies as one undoable batch.
// The same rights as typing the values into each row's form (R6): a hidden column gets the answer of a column
// that does not exist, a read-only column and new rows without the add right are refused, nothing is written.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfFrom } from '../helpers/test-app.js';
import { pageOnceReady } from '../helpers/eventually.js';
import { liftSandboxPace, permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
  await liftSandboxPace(w.t, w.orgId);
});
afterEach(async () => w.t.close());

type Agent = PermissionWorld['users']['tableEditor']['agent'];

/** The paste form as public/js/grid/paste.js sends it: columns, the rows it lands on, the clipboard text. */
async function pasteForm(agent: Agent, step: 'preview' | 'apply', columns: string[], refs: string[], tsv: string) {
  const fields = [
    ['_csrf', await csrfFrom(agent, '/account')],
    ...columns.map((c) => ['col', c]),
    ...refs.map((r) => ['ref', r]),
    ['tsv', tsv],
  ];
  return agent
    .post(`/tables/${w.flagsId}/paste/${step}`)
    .type('form')
    .send(fields.map(([k, v]) => `${k}=${encodeURIComponent(v!)}`).join('&'));
}

const flashOf = async (agent: Agent) => (await agent.get(`/tables/${w.flagsId}`)).text;

describe('pasting a range into the grid', () => {
  it('previews, then applies the cells and new rows as one batch', async () => {
    const agent = w.users.tableEditor.agent;
    const tsv = 'Pasted one\t5\r\nPasted "two"\t6\r\nNew line\t7\r\n';
    const cols = ['Message', 'Priority'];
    // Lines past the rows it lands on are new rows: the key column must be part of the range for them.
    const noKey = await pasteForm(agent, 'preview', cols, ['Main Line', 'Billing Queue'], tsv);
    expect(noKey.status).toBe(303);
    expect(await flashOf(agent)).toContain('Line 3, Line: The key is required.');

    const withKey = 'Main Line\tPasted one\t5\nBilling Queue\tPasted "two"\t6\nFire Drill\tNew line\t7\n';
    const preview = await pasteForm(agent, 'preview', ['key', ...cols], ['Main Line', 'Billing Queue'], withKey);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Paste 3 row(s) into Emergency Flags?');
    expect(preview.text).toContain('3 of 3 row(s) will change, 1 of them new');
    expect(preview.text).toContain('Pasted &#34;two&#34;');
    expect(w.writes()).toBe(0);

    const apply = await pasteForm(agent, 'apply', ['key', ...cols], ['Main Line', 'Billing Queue'], withKey);
    expect(apply.status).toBe(303);
    await pageOnceReady(agent, apply.headers.location!, 'the paste', (t) => t.includes('>Done<'), {
      timeoutMs: 20_000,
    });
    const g = await w.t.services.orgs.gatewayFor(w.orgId);
    expect(await g.getRow(w.flagsId, 'Main Line')).toMatchObject({ Message: 'Pasted one', Priority: 5 });
    expect(await g.getRow(w.flagsId, 'Billing Queue')).toMatchObject({ Message: 'Pasted "two"', Priority: 6 });
    expect(await g.getRow(w.flagsId, 'Fire Drill')).toMatchObject({ Message: 'New line', Priority: 7 });
    const applied = await w.t.db.auditEvent.findMany({ where: { outcome: 'applied', tableId: w.flagsId } });
    expect(applied).toHaveLength(3);
    expect(new Set(applied.map((e) => e.batchId)).size).toBe(1); // one batch: undone as one unit
    expect(applied[0]!.batchId).toBeTruthy();
  });

  it('refuses a value the column cannot hold, naming the line and column, and writes nothing', async () => {
    const agent = w.users.tableEditor.agent;
    const res = await pasteForm(agent, 'preview', ['Priority'], ['Main Line', 'Billing Queue'], '4\nsoon\n');
    expect(res.status).toBe(303);
    expect(await flashOf(agent)).toContain('Line 2, Priority: Priority must be a whole number, like 42.');
    const apply = await pasteForm(agent, 'apply', ['Priority'], ['Main Line', 'Billing Queue'], '4\nsoon\n');
    expect(apply.status).toBe(400);
    expect(w.writes()).toBe(0);
  });

  it('refuses a read-only column, as the row form does', async () => {
    const agent = w.users.columnEditor.agent;
    const res = await pasteForm(agent, 'apply', ['Message', 'Priority'], ['Main Line'], 'Mine\t9\n');
    expect(res.status).toBe(403);
    expect(res.text).toContain('This paste would change “Priority”, which you may not change.');
    // The column she may write goes through.
    const ok = await pasteForm(agent, 'preview', ['Message'], ['Main Line'], 'Mine\n');
    expect(ok.status).toBe(200);
    expect(w.writes()).toBe(0);
  });

  it('answers for a hidden column exactly as for a column that does not exist', async () => {
    const agent = w.users.columnEditor.agent;
    const hidden = await pasteForm(agent, 'apply', ['ActivatedBy'], ['Main Line'], 'me\n');
    const missing = await pasteForm(agent, 'apply', ['NoSuchColumn'], ['Main Line'], 'me\n');
    expect(hidden.status).toBe(400);
    expect(missing.status).toBe(400);
    const message = (html: string) => /<h1>[\s\S]*?<\/h1>\s*<p>([^<]*)<\/p>/.exec(html)?.[1];
    expect(message(hidden.text)).toBe('Line 1: “ActivatedBy” is not a column of this table.');
    expect(message(missing.text)!.replace(/NoSuchColumn/g, 'ActivatedBy')).toBe(message(hidden.text));
    expect(w.writes()).toBe(0);
  });

  it('refuses new rows without the add right', async () => {
    const agent = w.users.columnEditor.agent;
    const res = await pasteForm(agent, 'apply', ['Message'], ['Main Line'], 'Mine\nExtra\n');
    expect(res.status).toBe(403);
    expect(res.text).toContain('You may not add rows in this table.');
    expect(w.writes()).toBe(0);
  });

  it('refuses a paste that does not fit its columns, or renames a key', async () => {
    const agent = w.users.tableEditor.agent;
    const ragged = await pasteForm(agent, 'apply', ['Message', 'Priority'], ['Main Line'], 'only one cell\n');
    expect(ragged.status).toBe(400);
    expect(ragged.text).toContain('Line 1 of the paste has 1 cell(s) where 2 column(s) were chosen.');
    const rename = await pasteForm(agent, 'apply', ['key'], ['Main Line'], 'Other Line\n');
    expect(rename.status).toBe(400);
    expect(rename.text).toContain('The key cannot be changed.');
    expect(w.writes()).toBe(0);
  });
});
