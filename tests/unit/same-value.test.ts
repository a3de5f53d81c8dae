import { describe, expect, it } from 'vitest';
import { rowHolds, sameValue } from '../../src/genesys/datatable-schema.js';
import { decideOutcome } from '../../src/features/changes/reconciler.js';

describe('values compared by meaning', () => {
  it('numbers by value, also against the text a CSV carries', () => {
    expect(sameValue(1, 1.0, 'number')).toBe(true);
    expect(sameValue(1, '1.0', 'number')).toBe(true);
    expect(sameValue('5', 5, 'integer')).toBe(true);
    expect(sameValue(1, '1.0')).toBe(true); // no schema: the number on one side decides
    expect(sameValue(1, 2, 'number')).toBe(false);
    expect(sameValue(1, '', 'number')).toBe(false);
    expect(sameValue(1, 'one', 'number')).toBe(false);
  });

  it('strings without trailing whitespace (Genesys may trim it), leading whitespace and case kept', () => {
    expect(sameValue('Closed  ', 'Closed', 'string')).toBe(true);
    expect(sameValue('Closed\t\n', 'Closed')).toBe(true);
    expect(sameValue(' Closed', 'Closed', 'string')).toBe(false);
    expect(sameValue('closed', 'Closed', 'string')).toBe(false);
    expect(sameValue('1', '1.0', 'string')).toBe(false); // text, not numbers
  });

  it('keys exactly, booleans by truth, missing never equal to present', () => {
    expect(rowHolds({ key: 'a ', v: 1 }, { key: 'a', v: 1 })).toBe(false);
    expect(sameValue(true, 'true', 'boolean')).toBe(true);
    expect(sameValue(false, true, 'boolean')).toBe(false);
    expect(rowHolds({ key: 'a' }, { key: 'a', v: '' })).toBe(false);
  });

  it('the reconciler settles a normalised row as applied', () => {
    const before = { key: 'k', n: 1, s: 'old' };
    expect(decideOutcome('row.updated', { key: 'k', n: 2, s: 'new' }, before, { key: 'k', n: 2.0, s: 'new  ' })).toBe(
      'reconciled-applied',
    );
    expect(decideOutcome('row.created', { key: 'k', n: 3 }, null, { key: 'k', n: '3.0' as never })).toBe(
      'reconciled-applied',
    );
  });
});
