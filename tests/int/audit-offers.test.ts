// Undo and restore buttons are offered only where the user's rights let the POST pass (asked of the same
// check the POST runs); otherwise the page says why.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  lastIntentSeq,
  permissionWorld,
  postForm as post,
  type PermissionWorld,
  rowUrlIn,
} from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

const rowUrl = (key: string) => rowUrlIn(w.flagsId, key);
const lastIntent = (action: string) => lastIntentSeq(w, action);
describe('undo and restore are offered only where the user’s rights let them pass', () => {
  it('no undo button for a change that would write a column she may not; the page says why', async () => {
    await post(w.admin, rowUrl('Main Line'), { 'f:ActivatedBy': 'Someone', 'f:Message': 'Changed' }).then((r) =>
      expect(r.status).toBe(303),
    );
    const seq = await lastIntent('row.updated');
    const cole = await w.users.columnEditor.agent.get(`/audit/${seq}`);
    expect(cole.status).toBe(200);
    expect(cole.text).not.toContain('Undo this change');
    expect(cole.text).toContain('You cannot undo this change');
    expect(cole.text).not.toContain('ActivatedBy');
    expect((await post(w.users.columnEditor.agent, `/audit/${seq}/undo`)).status).toBe(403); // what the button would have met
    expect((await w.users.tableEditor.agent.get(`/audit/${seq}`)).text).toContain('Undo this change'); // positive control
  });

  it('a batch preview marks the changes she may not undo, with why, and offers no undo when none is left', async () => {
    await post(w.admin, `${rowUrl('Billing Queue')}/rename`, { newKey: 'Billing Line' }).then((r) =>
      expect(r.status).toBe(303),
    );
    const batchId = (await w.t.db.auditEvent.findFirstOrThrow({ where: { action: 'row.renamed' } })).batchId!;
    const cole = (await w.users.columnEditor.agent.get(`/audit/batch/${batchId}`)).text; // may edit Message only: no add or delete
    expect(cole).toContain('0 of 2 change(s) can be undone');
    expect(cole).toContain('Not possible: You may not');
    expect(cole).not.toMatch(/<button[^>]*>Undo \d+ change/);
    expect((await w.users.tableEditor.agent.get(`/audit/batch/${batchId}`)).text).toContain(
      '2 of 2 change(s) can be undone',
    ); // positive control
  });

  it('no restore button for a deleted row she may not create again; the preview says why', async () => {
    await w.grant(w.users.none.id, w.flagsId, {
      canEdit: true,
      canAdd: true,
      canDelete: true,
      columns: { key: 'write', Active: 'read', Message: 'write', Priority: 'write', ActivatedBy: 'hidden' },
    });
    const nora = w.users.none.agent;
    await post(w.admin, rowUrl('Main Line'), { 'f:Message': 'Edited' }).then((r) => expect(r.status).toBe(303));
    const edited = await lastIntent('row.updated'); // the row after it holds Active and ActivatedBy, which Nora may not write
    expect((await post(nora, `${rowUrl('Main Line')}/delete`)).status).toBe(303);
    const deleted = await lastIntent('row.deleted');
    const entry = await nora.get(`/audit/${deleted}`);
    expect(entry.text).not.toContain('Undo this change');
    expect(entry.text).toContain('You cannot undo this change');
    const preview = await nora.get(`/audit/${edited}/restore`);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('You cannot restore this row');
    expect(preview.text).not.toMatch(/<button[^>]*>Restore<\/button>/);
    expect((await post(nora, `/audit/${edited}/restore`)).status).toBe(403); // what the button would have met
    expect((await w.admin.get(`/audit/${edited}/restore`)).text).toMatch(/<button[^>]*>Restore<\/button>/); // positive control
  });
});
