// Z6: a value in a column hidden from a user never reaches that user, in any channel: audit pages and
// exports (reconciler details, others' exports, error messages), hidden keys (opaque handles), undo and
// restore previews, errors; every path that writes a row checks every column's right; column names that
// are Object.prototype members; and nothing about other users' rights or addresses.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { touchRows } from '../../src/emulator/store.js';
import {
  lastIntentSeq,
  permissionWorld,
  plantHiddenCanary,
  postForm,
  rowUrlIn,
  type PermissionWorld,
} from '../helpers/permission-fixtures.js';
import { actorOfUser } from '../helpers/test-app.js';

const CANARY = 'CANARY-Z6';
let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
  await plantHiddenCanary(w, CANARY); // Main Line's ActivatedBy: hidden from the viewer and the column editor
});
afterEach(async () => w.t.close());

const rowUrl = (key: string, tableId = w.flagsId) => rowUrlIn(tableId, key);
const gw = () => w.t.services.orgs.gatewayFor(w.orgId);
const emuTable = (tableId: string) => w.t.services.sandbox.running!.orgs[0]!.tables.get(tableId)!;
const lastIntent = (action: string) => lastIntentSeq(w, action);
const post = (agent = w.users.tableEditor.agent, url: string, fields: Record<string, string> = {}) =>
  postForm(agent, url, fields);
const actorOf = (id: number) => actorOfUser(w.t, id);
/** Every audit channel of a user: list, entry pages, both exports. */
async function auditChannels(agent: typeof w.admin, seqs: number[]): Promise<string> {
  const pages = [
    await agent.get('/audit'),
    await agent.get('/audit/export.json'),
    await agent.get('/audit/export.csv'),
    ...(await Promise.all(seqs.map((s) => agent.get(`/audit/${s}`)))),
  ];
  return pages.map((p) => p.text).join('\n');
}

describe('audit entries show only what the reader may see', () => {
  it('a change settled by the reconciler: its stored Genesys row (details.current) leaves out hidden columns', async () => {
    const main = (await (await gw()).getRow(w.flagsId, 'Main Line'))!;
    // An intent whose outcome never arrived (the process stopped): the reconciler re-reads the whole row.
    await w.t.services.audit.record(
      {
        action: 'row.updated',
        orgId: w.orgId,
        tableId: w.flagsId,
        rowKey: 'Main Line',
        changeId: 'open-change',
        batchId: 'open-batch',
        outcome: 'intent',
        before: { ...main, Message: 'Earlier' },
        after: main,
        details: { changed: ['Message'] },
      },
      { userId: w.users.tableEditor.id, name: 'Tess', role: 'USER' as const },
    );
    expect(await w.t.services.reconciler.settleBatch('open-batch')).toBe(1);
    const settled = await w.t.db.auditEvent.findFirstOrThrow({
      where: { changeId: 'open-change', outcome: 'reconciled-applied' },
    });
    expect(settled.details).toContain(CANARY); // stored whole, for admins
    const viewer = w.users.viewer.agent;
    const json = await viewer.get(`/audit/export.json?tableId=${w.flagsId}`);
    expect(json.status).toBe(200);
    const entries = (
      JSON.parse(json.text) as { entries: { seq: number; details: { current?: Record<string, unknown> } | null }[] }
    ).entries;
    expect(entries.find((e) => e.seq === settled.seq)?.details?.current).toMatchObject({
      key: 'Main Line',
      Message: 'All normal',
    });
    const seen = await auditChannels(viewer, [settled.seq, settled.seq - 1]);
    expect(seen).not.toContain(CANARY);
    expect(seen).not.toContain('ActivatedBy');
    expect((await w.admin.get(`/audit/export.json?tableId=${w.flagsId}`)).text).toContain(CANARY); // positive control
  });

  it('where the key column is hidden: entries, exports and the restore page name the row by the grid’s opaque handle', async () => {
    const nora = w.users.none;
    await w.grant(nora.id, w.flagsId, { columns: { key: 'hidden', Message: 'read', Priority: 'read' } });
    await post(w.users.tableEditor.agent, rowUrl('Main Line'), { 'f:Message': 'Storm', reason: 'weather' }).then((r) =>
      expect(r.status).toBe(303),
    );
    const seq = await lastIntent('row.updated');
    await post(w.users.tableEditor.agent, `${rowUrl('Billing Queue')}/rename`, { newKey: 'Billing Line' }).then((r) =>
      expect(r.status).toBe(303),
    );
    const renamed = (await w.t.db.auditEvent.findFirstOrThrow({ where: { action: 'row.renamed' } })).seq;
    const seen =
      (await auditChannels(nora.agent, [seq, renamed])) + (await nora.agent.get(`/audit/${seq}/restore`)).text;
    expect(seen).toContain('Storm');
    for (const key of ['Main Line', 'Billing Queue', 'Billing Line']) expect(seen).not.toContain(key);
    const handle = /<dt>Row<\/dt><dd[^>]*>(h\.[\w-]+)<\/dd>/.exec((await nora.agent.get(`/audit/${seq}`)).text)![1]!;
    expect((await nora.agent.get(`/tables/${w.flagsId}`)).text).toContain(`/rows/${handle}`); // the same name as in the grid
    // Filtering by a row key (or a reason, which can name keys) cannot be used to ask whether a hidden key exists.
    expect((await nora.agent.get(`/audit?rowKey=${encodeURIComponent('Main Line')}`)).text).toContain(
      'No entries match.',
    );
    expect((await nora.agent.get(`/audit?reason=${encodeURIComponent('Billing')}`)).text).toContain(
      'No entries match.',
    );
    expect((await w.users.viewer.agent.get(`/audit?rowKey=${encodeURIComponent('Main Line')}`)).text).toContain(
      `#${seq}`,
    ); // key visible: works
  });

  it('others’ table exports list only visible columns; others’ IP addresses and rights changes are not shown', async () => {
    expect((await w.admin.get(`/tables/${w.flagsId}/export.csv?q=${CANARY}`)).status).toBe(200);
    await w.t.services.audit.record(
      {
        action: 'permission.saved',
        orgId: w.orgId,
        tableId: w.flagsId,
        targetUserId: w.users.viewer.id,
        before: { none: true },
        after: { canView: true, columns: { ActivatedBy: 'hidden' } },
        details: { table: 'Emergency Flags' },
      },
      { userId: 1, name: 'Ada', role: 'ADMIN' as const, ip: '203.0.113.77' },
    );
    await post(w.users.tableEditor.agent, rowUrl('Main Line'), { 'f:Message': 'Mine' }).then((r) =>
      expect(r.status).toBe(303),
    );
    // Tess's default column right is write: she sees every column, yet nothing about others' rights or addresses.
    const tess = w.users.tableEditor;
    const entries = (
      JSON.parse((await tess.agent.get('/audit/export.json')).text) as {
        entries: { action: string; actorId: number | null; ip: string | null }[];
      }
    ).entries;
    expect(entries.map((e) => e.action).sort()).toEqual(['row.updated', 'row.updated', 'table.exported']);
    expect(entries.filter((e) => e.actorId !== tess.id).every((e) => e.ip === null)).toBe(true);
    expect(entries.filter((e) => e.actorId === tess.id).every((e) => e.ip !== null)).toBe(true);
    expect((await tess.agent.get('/audit')).text).not.toContain('203.0.113.77');
    const viewerExport = (await w.users.viewer.agent.get('/audit/export.json?action=table.exported')).text;
    expect(viewerExport).toContain('"columns"');
    expect(viewerExport).not.toContain('ActivatedBy');
    expect(viewerExport).not.toContain(CANARY); // the admin's search text
    const adminExport = (await w.admin.get('/audit/export.json?action=table.exported')).text;
    expect(adminExport).toContain('ActivatedBy');
  });

  it('a batch the user cannot see answers 404 for its preview and its undo, and nothing is written', async () => {
    const hours = (await (await gw()).readAllRows(w.hoursId))[0]!;
    await post(w.admin, `${rowUrl(String(hours.key), w.hoursId)}/rename`, { newKey: 'Renamed by admin' }).then((r) =>
      expect(r.status).toBe(303),
    );
    const batch = await w.t.db.auditEvent.findFirstOrThrow({
      where: { action: 'row.created', outcome: 'intent' },
      orderBy: { seq: 'desc' },
    });
    const writes = w.writes();
    const viewer = w.users.viewer.agent;
    expect((await viewer.get(`/audit/batch/${batch.batchId}`)).status).toBe(404);
    const undo = await post(viewer, `/audit/batch/${batch.batchId}/undo`);
    expect(undo.status).toBe(404);
    expect(undo.text).not.toContain(`#${batch.seq}`);
    expect(w.writes()).toBe(writes);
    expect(await (await gw()).getRow(w.hoursId, 'Renamed by admin')).not.toBeNull();
  });
});

describe('every path that writes a row checks every column’s right', () => {
  beforeEach(async () => {
    // Nora may add and delete rows; Active is read-only for her, ActivatedBy hidden.
    await w.grant(w.users.none.id, w.flagsId, {
      canEdit: true,
      canAdd: true,
      canDelete: true,
      columns: { key: 'write', Active: 'read', Message: 'write', Priority: 'write', ActivatedBy: 'hidden' },
    });
  });

  it('a deleted row cannot be restored or undeleted with values in read-only and hidden columns', async () => {
    const nora = w.users.none.agent;
    await (
      await gw()
    ).updateRow(w.flagsId, 'Main Line', {
      key: 'Main Line',
      Active: true,
      Message: 'On',
      Priority: 1,
      ActivatedBy: CANARY,
    });
    expect((await post(nora, rowUrl('Main Line'), { 'f:Message': 'Edited' })).status).toBe(303);
    const edited = await lastIntent('row.updated'); // the row as it was after this: Active true, ActivatedBy the canary
    expect((await post(nora, `${rowUrl('Main Line')}/delete`)).status).toBe(303);
    const deleted = await lastIntent('row.deleted');
    const writes = w.writes();
    for (const url of [`/audit/${edited}/restore`, `/audit/${deleted}/undo`]) {
      const res = await post(nora, url);
      expect(res.status).toBe(403);
      expect(res.text).toContain('“Active”');
      expect(res.text).toContain('columns you cannot see');
      expect(res.text).not.toContain('ActivatedBy');
    }
    expect(w.writes()).toBe(writes);
    expect(await (await gw()).getRow(w.flagsId, 'Main Line')).toBeNull();
    expect((await post(w.admin, `/audit/${edited}/restore`)).status).toBe(303); // an admin may
    expect(await (await gw()).getRow(w.flagsId, 'Main Line')).toMatchObject({ Active: true, ActivatedBy: CANARY });
  });

  it('renaming a key is not offered when the copy would write columns the user may not change', async () => {
    const nora = w.users.none.agent;
    const form = await nora.get(rowUrl('Main Line'));
    expect(form.status).toBe(200);
    expect(form.text).not.toContain('Rename the key');
    const page = await nora.get(`${rowUrl('Main Line')}/rename`);
    expect(page.status).toBe(403);
    expect(page.text).toContain('“Active”');
    expect(page.text).toContain('columns you cannot see');
    expect(page.text).not.toContain('ActivatedBy');
    expect((await post(nora, `${rowUrl('Main Line')}/rename`, { newKey: 'Other Line' })).status).toBe(403);
    expect((await w.admin.get(rowUrl('Main Line'))).text).toContain('Rename the key'); // an admin may
  });

  it('undoing a change to a hidden column is refused without naming it', async () => {
    await post(w.admin, rowUrl('Main Line'), { 'f:ActivatedBy': 'Someone', 'f:Message': 'Changed' }).then((r) =>
      expect(r.status).toBe(303),
    );
    const res = await post(w.users.columnEditor.agent, `/audit/${await lastIntent('row.updated')}/undo`);
    expect(res.status).toBe(403);
    expect(res.text).toContain('columns you cannot see');
    expect(res.text).not.toContain('ActivatedBy');
    expect((await (await gw()).getRow(w.flagsId, 'Main Line'))!.ActivatedBy).toBe('Someone');
  });

  it('a hidden column in a form gets the same answer as a column that does not exist', async () => {
    const agent = w.users.columnEditor.agent;
    const hidden = await post(agent, rowUrl('Main Line'), { 'f:ActivatedBy': 'x' });
    const unknown = await post(agent, rowUrl('Main Line'), { 'f:NoSuchColumn': 'x' });
    expect(hidden.status).toBe(400);
    expect(unknown.status).toBe(400);
    expect(hidden.text).toContain('“ActivatedBy” is not a column of this table.');
    expect(unknown.text).toContain('“NoSuchColumn” is not a column of this table.');
    expect((await post(agent, rowUrl('Main Line'), { 'o:ActivatedBy': CANARY, 'f:Message': 'x' })).status).toBe(400);
    expect((await post(agent, rowUrl('Main Line'), { 'f:Priority': '3' })).status).toBe(403); // visible, read-only
  });
});

describe('undo and restore previews show only visible columns', () => {
  it('the restore preview and the restore leave a hidden column out and as it is', async () => {
    const nora = w.users.none;
    await w.grant(nora.id, w.flagsId, {
      canEdit: true,
      columns: { key: 'read', Message: 'write', Priority: 'read', ActivatedBy: 'hidden' },
    });
    await post(w.users.tableEditor.agent, rowUrl('Main Line'), { 'f:Message': 'Version one' }).then((r) =>
      expect(r.status).toBe(303),
    );
    const seq = await lastIntent('row.updated');
    await post(w.admin, rowUrl('Main Line'), { 'f:Message': 'Version two', 'f:ActivatedBy': 'CANARY-LATER' }).then(
      (r) => expect(r.status).toBe(303),
    );
    const preview = await nora.agent.get(`/audit/${seq}/restore`);
    expect(preview.text).toMatch(/Message<\/th><td[^>]*>Version two<\/td><td[^>]*><strong>Version one/);
    for (const hidden of [CANARY, 'CANARY-LATER', 'ActivatedBy']) expect(preview.text).not.toContain(hidden);
    const plan = await w.t.services.undo.restorePlan(await actorOf(nora.id), seq);
    expect(JSON.stringify([plan.now, plan.then, plan.columns])).not.toContain('CANARY');
    expect((await post(nora.agent, `/audit/${seq}/restore`)).status).toBe(303);
    expect(await (await gw()).getRow(w.flagsId, 'Main Line')).toMatchObject({
      Message: 'Version one',
      ActivatedBy: 'CANARY-LATER',
    });
  });

  it('the undo conflict (original / then / now) leaves hidden columns out', async () => {
    const editor = w.users.columnEditor;
    await post(editor.agent, rowUrl('Main Line'), { 'f:Message': 'Mine' }).then((r) => expect(r.status).toBe(303));
    const seq = await lastIntent('row.updated');
    await post(w.admin, rowUrl('Main Line'), { 'f:Message': 'Theirs', 'f:ActivatedBy': 'CANARY-NOW' }).then((r) =>
      expect(r.status).toBe(303),
    );
    const page = await post(editor.agent, `/audit/${seq}/undo`);
    expect(page.status).toBe(409);
    expect(page.text).toContain('Theirs');
    for (const hidden of [CANARY, 'CANARY-NOW', 'ActivatedBy']) expect(page.text).not.toContain(hidden);
    const { conflict } = await w.t.services.undo.undo(await actorOf(editor.id), seq, false);
    expect(conflict!.now).toMatchObject({ Message: 'Theirs' });
    expect(JSON.stringify(conflict)).not.toContain('CANARY');
  });
});

describe('columns named like Object.prototype members', () => {
  const NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'];
  /** Adds the columns to Emergency Flags in the emulator (own properties, even `__proto__`), each row holding `<prefix>-<name>`. */
  const addColumnsNamed = (names: string[], prefix: string) => {
    const flags = emuTable(w.flagsId);
    const props = flags.schema.properties as Record<string, unknown>;
    names.forEach((name, i) =>
      Object.defineProperty(props, name, {
        value: { type: 'string', title: name, $id: `/properties/${name}`, displayOrder: 10 + i },
        enumerable: true,
        writable: true,
        configurable: true,
      }),
    );
    for (const [key, row] of flags.rows)
      flags.rows.set(key, Object.fromEntries([...Object.entries(row), ...names.map((n) => [n, `${prefix}-${n}`])]));
    touchRows(flags);
    w.t.services.tables.invalidate(w.orgId);
    return flags;
  };

  it('added after a grant, they follow the grant’s default (hidden) in the grid, exports and the audit log', async () => {
    addColumnsNamed(NAMES, 'CANARY');
    await post(w.users.tableEditor.agent, rowUrl('Main Line'), { 'f:Message': 'After the new columns' }).then((r) =>
      expect(r.status).toBe(303),
    );
    const viewer = w.users.viewer.agent;
    const seen = [
      await viewer.get(`/tables/${w.flagsId}`),
      await viewer.get(rowUrl('Main Line')),
      await viewer.get(`/tables/${w.flagsId}/export.csv`),
      await viewer.get(`/tables/${w.flagsId}/export.json`),
      await viewer.get('/audit/export.json'),
      await viewer.get('/audit/export.csv'),
    ]
      .map((r) => r.text)
      .join('\n');
    expect(seen).toContain('After the new columns');
    for (const name of NAMES) expect(seen).not.toContain(`CANARY-${name}`);
    const adminExport = (await w.admin.get(`/tables/${w.flagsId}/export.json`)).text;
    for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty'])
      expect(adminExport).toContain(`CANARY-${name}`); // positive control
  });

  it('keep their values in Genesys when the app writes the row (the SDK drops such keys from body objects)', async () => {
    const flags = addColumnsNamed(NAMES, 'KEEP');
    await post(w.admin, rowUrl('Main Line'), { 'f:Message': 'Edited beside them' }).then((r) =>
      expect(r.status).toBe(303),
    );
    const stored = flags.rows.get('Main Line')!;
    expect(stored.Message).toBe('Edited beside them');
    expect(NAMES.map((n) => (Object.hasOwn(stored, n) ? stored[n] : undefined))).toEqual(NAMES.map((n) => `KEEP-${n}`));
  });
});
