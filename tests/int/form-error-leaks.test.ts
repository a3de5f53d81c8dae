// What a re-rendered form says when Genesys refuses a change: a user editing the columns they may write must
// not learn the name of a column hidden from them because Genesys refused the whole row over it (the app
// writes whole rows, hidden values kept as they are, so Genesys judges columns the user never sent).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  permissionWorld,
  plantHiddenCanary,
  postForm,
  rowUrlIn,
  sandboxTable,
  type PermissionWorld,
} from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

describe('a Genesys refusal shown on the row form', () => {
  it('never names a hidden column nor shows its value', async () => {
    await plantHiddenCanary(w, 'CANARY-HIDDEN-LONG-VALUE');
    // Genesys now bounds the hidden column below the value the row already holds.
    const flags = sandboxTable(w, 'Emergency Flags');
    flags.schema.properties.ActivatedBy = { ...flags.schema.properties.ActivatedBy!, maxLength: 5 };
    const editor = w.users.columnEditor.agent;
    const res = await postForm(editor, rowUrlIn(w.flagsId, 'Main Line'), { 'f:Message': 'Edited by Cole' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.text).not.toContain('ActivatedBy');
    expect(res.text).not.toContain('CANARY-HIDDEN');
    expect(res.text).toContain('Genesys Cloud refused the request: Field [[hidden]] is longer than 5 characters.');
    // The audit log keeps what Genesys said, whole (its reader view has its own rule for hidden terms).
    const failed = await w.t.db.auditEvent.findFirstOrThrow({ where: { outcome: 'failed' }, orderBy: { seq: 'desc' } });
    expect(failed.details).toContain('ActivatedBy');
  });
});
