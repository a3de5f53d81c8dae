// Audit events are typed where they are recorded (audit-events.ts): the `@ts-expect-error` lines below are what
// `npm run typecheck` proves (each must be an error, or the directive itself is one); the rest runs.
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, ROW_CHANGE_ACTIONS, rowChangeAction } from '../../src/features/audit/audit-events.js';
import type { AuditInput } from '../../src/features/audit/audit-service.js';

const recorded: AuditInput[] = [];
const record = (input: AuditInput) => void recorded.push(input);

describe('audit events', () => {
  it('are checked where they are recorded: the action name and the shape of its details', () => {
    record({ action: 'row.renamed', rowKey: 'b', details: { from: 'a', to: 'b' } });
    record({
      action: 'row.updated',
      outcome: 'intent',
      details: { changed: ['Message'], via: 'csv-import', reverts: 7 },
    });
    // @ts-expect-error a misspelt action
    record({ action: 'row.renammed', details: { from: 'a', to: 'b' } });
    // @ts-expect-error the details of another action
    record({ action: 'row.renamed', details: { backupId: 'b-1', size: 1 } });
    // @ts-expect-error details an action always has, left out
    record({ action: 'backup.downloaded' });
    // @ts-expect-error details on an action that has none
    record({ action: 'auth.sign_in', details: { email: 'a@example.com' } });
    // @ts-expect-error a row change's details with a field of the wrong type
    record({ action: 'row.deleted', details: { changed: 'Message' } });
    expect(recorded.map((e) => e.action)).toEqual([
      'row.renamed',
      'row.updated',
      'row.renammed',
      'row.renamed',
      'backup.downloaded',
      'auth.sign_in',
      'row.deleted',
    ]);
  });

  it('are named once each, the row changes among them; a stored action is read back as a row change or refused', () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    for (const action of ROW_CHANGE_ACTIONS) expect(AUDIT_ACTIONS).toContain(action);
    expect(rowChangeAction('row.deleted')).toBe('row.deleted');
    expect(() => rowChangeAction('row.renamed')).toThrow('Audit action row.renamed is not a row change.');
  });
});
