// playbooks/playbook-content.ts: the JSON an administrator types for a playbook's rows (shape only; the
// service checks each row against the live schema), and how two contents compare.
import { describe, expect, it } from 'vitest';
import {
  contentText,
  parseContentText,
  sameContent,
  type PlaybookRow,
} from '../../src/features/playbooks/playbook-content.js';
import { ValidationError } from '../../src/lib/errors.js';

const refusal = (text: string): string => {
  try {
    parseContentText(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).fieldErrors.content!;
  }
  throw new Error('accepted');
};

describe('parseContentText', () => {
  it('reads rows with their table, key, kind and values', () => {
    const rows = parseContentText(
      JSON.stringify([
        { table: 'Flags', key: 'Main', kind: 'update', values: { Active: true, Priority: 2 } },
        { tableId: 'abc', key: 'Old', kind: 'delete' },
      ]),
    );
    expect(rows).toEqual([
      { number: 1, table: 'Flags', key: 'Main', kind: 'update', values: { Active: true, Priority: 2 } },
      { number: 2, table: 'abc', key: 'Old', kind: 'delete', values: {} },
    ]);
  });

  it('names what is wrong and in which row', () => {
    expect(refusal('{')).toMatch(/not valid JSON/);
    expect(refusal('{}')).toMatch(/JSON list/);
    expect(refusal('[]')).toMatch(/at least one row/);
    expect(refusal('[{"table":"T","key":"k","kind":"upsert"}]')).toMatch(/Row 1: "kind"/);
    expect(refusal('[{"table":"T","key":"k","kind":"update","values":{"A":{"x":1}}}]')).toMatch(/value of “A”/);
    expect(refusal('[{"table":"T","key":"k","kind":"delete","values":{"A":1}}]')).toMatch(/a delete writes no values/);
    expect(refusal('[{"table":"T","key":"..","kind":"update","values":{"A":1}}]')).toMatch(/cannot be changed/);
    expect(refusal('[{"table":"T","key":"k","kind":"update","values":{"A":1},"rows":[]}]')).toMatch(/unknown field/);
    const twice = '[{"table":"T","key":"k","kind":"update","values":{"A":1}},{"table":"T","key":"k","kind":"delete"}]';
    expect(refusal(twice)).toMatch(/Row 2 changes the same row/);
    expect(
      refusal(JSON.stringify(Array.from({ length: 201 }, (_, i) => ({ table: 'T', key: `k${i}`, kind: 'delete' })))),
    ).toMatch(/at most 200/);
  });
});

describe('sameContent and contentText', () => {
  const row: PlaybookRow = {
    tableId: 't1',
    tableName: 'Flags',
    key: 'Main',
    kind: 'update',
    requested: { A: 1, B: 'x' },
  };

  it('compares rows by what they write, not by column order or a create carrying its key', () => {
    expect(sameContent([row], [{ ...row, requested: { B: 'x', A: 1 } }])).toBe(true);
    expect(sameContent([row], [{ ...row, requested: { A: 2, B: 'x' } }])).toBe(false);
    expect(sameContent([row], [{ ...row, kind: 'create' }])).toBe(false);
    const create: PlaybookRow = { ...row, kind: 'create', requested: { key: 'Main', A: 1 } };
    expect(sameContent([create], [{ ...create, requested: { A: 1 } }])).toBe(true);
  });

  it('gives back text that reads as the same rows', () => {
    const create: PlaybookRow = { ...row, key: 'New', kind: 'create', requested: { key: 'New', A: 1 } };
    expect(parseContentText(contentText([row, create])).map((r) => [r.table, r.key, r.kind, r.values])).toEqual([
      ['Flags', 'Main', 'update', { A: 1, B: 'x' }],
      ['Flags', 'New', 'create', { A: 1 }],
    ]);
  });
});
