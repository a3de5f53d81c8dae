// What a user sees of an audit entry (audit/audit-visibility.ts): every field through the one column rule.
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/db/generated/client.js';
import { entryForReader } from '../../src/features/audit/audit-visibility.js';
import type { StoredRights } from '../../src/features/permissions/access.js';
import { toRights } from '../../src/features/permissions/permission-repository.js';

const grant = toRights({
  tableId: 't',
  tableName: 'T',
  userId: 2,
  canView: true,
  canEdit: true,
  canAdd: false,
  canDelete: false,
  canApprove: false,
  canRunPlaybooks: false,
  defaultColumnAccess: 'hidden',
  columns: [
    { column: 'key', access: 'read' },
    { column: 'Message', access: 'write' },
  ],
});

function event(patch: Partial<AuditEvent>): AuditEvent {
  return {
    seq: 7,
    at: new Date(0),
    actorId: 1,
    actorName: 'Ada',
    ip: '203.0.113.7',
    action: 'row.updated',
    orgId: 'o',
    tableId: 't',
    rowKey: 'Secret key',
    targetUserId: null,
    before: null,
    after: null,
    details: null,
    reason: null,
    batchId: null,
    changeId: 'c',
    outcome: 'intent',
    requestId: null,
    prevHash: '',
    hash: '',
    ...patch,
  } as AuditEvent;
}
const reader = (rights: StoredRights | null, extra: object = {}) => ({
  userId: 2,
  rights,
  keyHandle: (k: string) => `h.${k.length}`,
  ...extra,
});

describe('an audit entry as a user sees it', () => {
  const row = { key: 'Secret key', Message: 'Hello', ActivatedBy: 'CANARY-U', constructor: 'CANARY-C' };

  it('every field goes through the column rule: rows, changed, details.current, columns; unknown details are dropped', () => {
    const e = event({
      before: JSON.stringify(row),
      after: JSON.stringify({ ...row, Message: 'Bye', ActivatedBy: 'CANARY-V' }),
      details: JSON.stringify({
        changed: ['Message', 'ActivatedBy', 'constructor'],
        current: row,
        columns: ['key', 'ActivatedBy'],
        reverts: 3,
        secretThing: 'CANARY-X',
      }),
    });
    const view = entryForReader(e, reader(grant));
    expect(JSON.stringify(view)).not.toMatch(/CANARY|ActivatedBy|constructor/);
    expect(view).toMatchObject({
      ip: null,
      changed: ['Message'],
      details: { changed: ['Message'], current: { key: 'Secret key', Message: 'Hello' }, columns: ['key'], reverts: 3 },
    });
    const admin = entryForReader(e, reader(null));
    expect(JSON.stringify(admin)).toContain('CANARY-X');
  });

  it('a hidden key is replaced by its handle everywhere (row, reason, rename details, messages)', () => {
    const keyless: StoredRights = { ...grant, columns: { Message: 'read' } };
    const renamed = entryForReader(
      event({
        action: 'row.renamed',
        outcome: null,
        reason: 'Rename of “Secret key”',
        details: JSON.stringify({ from: 'Secret key', to: 'Other key' }),
      }),
      reader(keyless),
    );
    expect(JSON.stringify(renamed)).not.toMatch(/Secret key|Other key/);
    expect(renamed).toMatchObject({ rowKey: 'h.10', reason: 'Rename of “h.10”', details: { from: 'h.10', to: 'h.9' } });
    // A rename's outcome entry carries the reason naming the old key; the keys are in its intent's details.
    const renameIntent = event({
      rowKey: 'Other key',
      details: JSON.stringify({ from: 'Secret key', to: 'Other key' }),
    });
    const outcome = entryForReader(
      event({ rowKey: 'Other key', outcome: 'applied', reason: 'Rename of “Secret key”' }),
      reader(keyless, { intent: renameIntent }),
    );
    expect(JSON.stringify(outcome)).not.toMatch(/Secret key|Other key/);
    const intent = event({ before: JSON.stringify(row) });
    const failed = entryForReader(
      event({
        outcome: 'failed',
        details: JSON.stringify({ message: 'Value [CANARY-U] is not valid for field [ActivatedBy] of row Secret key' }),
      }),
      reader(keyless, { intent }),
    );
    expect(failed.details!.message).toBe('Value [[hidden]] is not valid for field [[hidden]] of row h.10');
    // Without the change's rows there is no telling what a message names: it is left out.
    expect(
      entryForReader(event({ outcome: 'failed', details: JSON.stringify({ message: 'anything' }) }), reader(grant))
        .details,
    ).toEqual({});
  });

  it('shows one’s own IP address and search, not other people’s', () => {
    const mine = entryForReader(
      event({ actorId: 2, action: 'table.exported', details: JSON.stringify({ query: 'q=x' }) }),
      reader(grant),
    );
    const theirs = entryForReader(
      event({ action: 'table.exported', details: JSON.stringify({ query: 'q=CANARY' }) }),
      reader(grant),
    );
    expect(mine).toMatchObject({ ip: '203.0.113.7', details: { query: 'q=x' } });
    expect(theirs).toMatchObject({ ip: null, details: {} });
  });
});
