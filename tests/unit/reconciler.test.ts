import { describe, expect, it } from 'vitest';
import { decideOutcome } from '../../src/features/changes/reconciler.js';

const before = { key: 'k', a: 1 };
const after = { key: 'k', a: 2 };

describe('reconciling a write whose outcome was lost', () => {
  it('update: equal to after -> applied; equal to before -> not applied; neither -> conflict', () => {
    expect(decideOutcome('row.updated', { key: 'k', a: 2 }, before, after)).toBe('reconciled-applied');
    expect(decideOutcome('row.updated', { key: 'k', a: 1 }, before, after)).toBe('reconciled-not-applied');
    expect(decideOutcome('row.updated', { key: 'k', a: 3 }, before, after)).toBe('reconciled-conflict');
    expect(decideOutcome('row.updated', null, before, after)).toBe('reconciled-conflict');
  });

  it('create: present and equal -> applied; absent -> not applied', () => {
    expect(decideOutcome('row.created', { key: 'k', a: 2, b: false }, null, after)).toBe('reconciled-applied');
    expect(decideOutcome('row.created', null, null, after)).toBe('reconciled-not-applied');
    expect(decideOutcome('row.created', { key: 'k', a: 9 }, null, after)).toBe('reconciled-conflict');
  });

  it('delete: absent -> applied; equal to before -> not applied', () => {
    expect(decideOutcome('row.deleted', null, before, null)).toBe('reconciled-applied');
    expect(decideOutcome('row.deleted', { key: 'k', a: 1 }, before, null)).toBe('reconciled-not-applied');
    expect(decideOutcome('row.deleted', { key: 'k', a: 5 }, before, null)).toBe('reconciled-conflict');
  });
});
