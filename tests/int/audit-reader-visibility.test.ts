// Which audit entries a user sees: none for a change she cannot see at all (only hidden columns changed,
// which would tell her a hidden column changed, when and by whom), and her own backup entries.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_PAGE_SIZE } from '../../src/features/audit/audit-query.js';
import {
  lastIntentSeq,
  permissionWorld,
  postForm as post,
  type PermissionWorld,
  rowUrlIn,
} from '../helpers/permission-fixtures.js';
import { actorOfUser } from '../helpers/test-app.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

const rowUrl = (key: string) => rowUrlIn(w.flagsId, key);
const lastIntent = (action: string) => lastIntentSeq(w, action);
const actorOf = (id: number) => actorOfUser(w.t, id);
async function auditChannels(agent: typeof w.admin, seqs: number[]): Promise<{ text: string; statuses: number[] }> {
  const lists = [
    await agent.get('/audit'),
    await agent.get('/audit/export.json'),
    await agent.get('/audit/export.csv'),
  ];
  const entries = await Promise.all(seqs.map((s) => agent.get(`/audit/${s}`)));
  return { text: [...lists, ...entries].map((p) => p.text).join('\n'), statuses: entries.map((e) => e.status) };
}

describe('a change that touched only columns hidden from the reader', () => {
  const CANARY = 'CANARY-HIDDEN-ONLY-CHANGE';

  it('is not in her list, entry pages, exports or batch previews; an admin sees it', async () => {
    await post(w.users.tableEditor.agent, rowUrl('Main Line'), { 'f:ActivatedBy': 'Someone', reason: CANARY }).then(
      (r) => expect(r.status).toBe(303),
    );
    const intent = await lastIntent('row.updated');
    const change = await w.t.db.auditEvent.findMany({
      where: { changeId: (await w.t.db.auditEvent.findUniqueOrThrow({ where: { seq: intent } })).changeId },
    });
    expect(change.length).toBe(2); // intent and outcome
    const viewer = await auditChannels(
      w.users.viewer.agent,
      change.map((c) => c.seq),
    );
    expect(viewer.text).not.toContain(CANARY);
    expect(viewer.statuses).toEqual([404, 404]);
    const batch = change[0]!.batchId;
    if (batch) expect((await w.users.viewer.agent.get(`/audit/batch/${batch}`)).status).toBe(404);
    expect((await auditChannels(w.admin, [intent])).text).toContain(CANARY); // positive control
    // A change of a visible and a hidden column is shown, with the visible one only.
    await post(w.users.tableEditor.agent, rowUrl('Main Line'), {
      'f:ActivatedBy': 'Other',
      'f:Message': 'Seen',
      reason: 'both',
    }).then((r) => expect(r.status).toBe(303));
    const both = await w.users.viewer.agent.get(`/audit/${await lastIntent('row.updated')}`);
    expect(both.status).toBe(200);
    expect(both.text).toContain('Seen');
    expect(both.text).not.toContain('ActivatedBy');
  });

  it('does not leave her list pages short: a page is filled from older entries', async () => {
    const actor = { userId: w.users.tableEditor.id, name: 'Tess', role: 'USER' as const };
    const update = (changed: string, n: number) => ({
      action: 'row.updated' as const,
      orgId: w.orgId,
      tableId: w.flagsId,
      rowKey: 'Main Line',
      outcome: 'intent',
      changeId: `${changed}-${n}`,
      before: { key: 'Main Line', [changed]: 'a' },
      after: { key: 'Main Line', [changed]: `b${n}` },
      details: { changed: [changed] },
    });
    for (let n = 0; n < AUDIT_PAGE_SIZE + 5; n++) await w.t.services.audit.record(update('Message', n), actor);
    for (let n = 0; n < AUDIT_PAGE_SIZE + 10; n++) await w.t.services.audit.record(update('ActivatedBy', n), actor);
    const viewer = await actorOf(w.users.viewer.id);
    const first = await w.t.services.auditQuery.list(viewer, { tableId: w.flagsId });
    expect(first.entries.length).toBe(AUDIT_PAGE_SIZE);
    expect(first.entries.every((e) => e.changed.includes('Message'))).toBe(true);
    const second = await w.t.services.auditQuery.list(viewer, { tableId: w.flagsId, before: first.nextBefore! });
    expect(second.entries.filter((e) => e.changeId?.startsWith('Message')).length).toBe(5);
    expect(second.entries.some((e) => e.changeId?.startsWith('ActivatedBy'))).toBe(false);
  });
});

describe('a user’s own backup entries', () => {
  it('are in her list and open; others’ backup entries are not', async () => {
    const vic = { userId: w.users.viewer.id, name: 'Vic', role: 'USER' as const };
    await w.t.services.audit.record(
      {
        action: 'backup.created',
        orgId: w.orgId,
        details: { backupId: 'b-vic', kind: 'manual', tables: ['Emergency Flags'], rows: 4, partial: true },
      },
      vic,
    );
    const mine = await lastBackupSeq();
    await w.t.services.audit.record(
      {
        action: 'backup.restored',
        orgId: w.orgId,
        details: { backupId: 'b-vic', exact: false, changes: 1, failures: 0, preRestoreBackupId: 'b-pre' },
      },
      vic,
    );
    const restored = await lastBackupSeq();
    await w.t.services.audit.record(
      {
        action: 'backup.created',
        orgId: w.orgId,
        details: { backupId: 'CANARY-ADMIN-BACKUP', kind: 'manual', tables: ['Secret Table'], rows: 9, partial: false },
      },
      { userId: 1, name: 'Ada', role: 'ADMIN' as const, ip: '203.0.113.9' },
    );
    const admins = await lastBackupSeq();
    const agent = w.users.viewer.agent;
    const list = (await agent.get('/audit')).text;
    expect(list).toContain(`#${mine}`);
    expect(list).toContain(`#${restored}`);
    expect(list).not.toContain(`#${admins}`);
    const entry = await agent.get(`/audit/${mine}`);
    expect(entry.status).toBe(200);
    expect(entry.text).toContain('b-vic');
    expect(entry.text).toContain('Emergency Flags'); // its details are shown
    expect((await agent.get(`/audit/${restored}`)).text).toContain('b-pre');
    expect((await agent.get(`/audit/${admins}`)).status).toBe(404);
    expect((await agent.get('/audit/export.json')).text).not.toContain('CANARY-ADMIN-BACKUP');
  });
});
describe('an entry page shows the details the reader may see', () => {
  it('a table export names its format, visible columns and rows; hidden columns are left out', async () => {
    expect((await w.users.tableEditor.agent.get(`/tables/${w.flagsId}/export.csv`)).status).toBe(200);
    const seq = (
      await w.t.db.auditEvent.findFirstOrThrow({ where: { action: 'table.exported' }, orderBy: { seq: 'desc' } })
    ).seq;
    const admin = (await w.admin.get(`/audit/${seq}`)).text;
    expect(admin).toContain('<h2>Details</h2>');
    expect(admin).toContain('ActivatedBy'); // positive control: the admin sees every column
    const viewer = (await w.users.viewer.agent.get(`/audit/${seq}`)).text;
    expect(viewer).toContain('<h2>Details</h2>');
    expect(viewer).toMatch(/<dt>columns<\/dt><dd[^>]*>key, Active, Message, Priority<\/dd>/);
    expect(viewer).not.toContain('ActivatedBy');
  });
});
const lastBackupSeq = async () =>
  (await w.t.db.auditEvent.findFirstOrThrow({ where: { action: { startsWith: 'backup.' } }, orderBy: { seq: 'desc' } }))
    .seq;

describe("another person's entry in a user's audit export", () => {
  it('carries neither their request id nor the chain hashes (only what the page shows)', async () => {
    await post(w.users.tableEditor.agent, rowUrl('Main Line'), { 'f:Message': 'Edited by Tess' }).then((r) =>
      expect(r.status).toBe(303),
    );
    const theirs = await w.t.db.auditEvent.findFirstOrThrow({
      where: { action: 'row.updated', actorId: w.users.tableEditor.id },
      orderBy: { seq: 'desc' },
    });
    const json = (await w.users.viewer.agent.get('/audit/export.json')).text;
    expect(json).toContain(`"seq": ${theirs.seq}`); // she may see the change itself
    expect(json).not.toContain(theirs.requestId!);
    expect(json).not.toContain(theirs.hash);
  });
});
