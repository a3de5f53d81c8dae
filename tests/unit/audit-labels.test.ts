// Every audit action has a label people read on the audit pages ("Row updated", not `row.updated`): the label
// map is typed over every action, and this checks that none is empty, a copy of the raw name, or shared.
import { describe, expect, it } from 'vitest';
import { actionLabel, AUDIT_ACTION_LABELS, AUDIT_ACTIONS } from '../../src/features/audit/audit-events.js';

describe('audit action labels', () => {
  it('name every action, readably and each differently', () => {
    for (const action of AUDIT_ACTIONS) {
      const label = AUDIT_ACTION_LABELS[action];
      expect(label, action).toMatch(/^[A-Z][a-z]/);
      expect(label, action).not.toContain(action);
    }
    expect(Object.keys(AUDIT_ACTION_LABELS).sort()).toEqual([...AUDIT_ACTIONS].sort());
    expect(new Set(Object.values(AUDIT_ACTION_LABELS)).size).toBe(AUDIT_ACTIONS.length);
  });

  it('read an action this version does not know as it is stored', () => {
    expect(actionLabel('row.updated')).toBe('Row updated');
    expect(actionLabel('request.approved')).toBe('Change request approved');
    expect(actionLabel('something.old')).toBe('something.old');
    expect(actionLabel('constructor')).toBe('constructor');
  });
});
