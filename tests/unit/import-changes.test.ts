// The import plan as row changes (what the apply job and a change request write) and the dry-run page's
// grouping of problems: pure functions, no app.
import { describe, expect, it } from 'vitest';
import { changesOf, lineOf, rollbackRefusal } from '../../src/features/imports/import-changes.js';
import type { ImportPlan } from '../../src/features/imports/import-types.js';
import { groupProblems } from '../../src/features/imports/import-view.js';
import type { TableAccess } from '../../src/features/permissions/access.js';

const plan: ImportPlan = {
  mode: 'exact',
  mapping: { Key: 'key', Text: 'Message' },
  columns: ['key', 'Message'],
  adds: [{ line: 2, key: 'New', row: { key: 'New', Message: 'hi' } }],
  updates: [
    {
      line: 3,
      key: 'Old',
      before: { key: 'Old', Message: 'was', Priority: 1 },
      after: { key: 'Old', Message: 'now', Priority: 1 },
      changed: ['Message'],
    },
  ],
  deletes: [{ key: 'Gone', before: { key: 'Gone', Message: 'bye' } }],
  unchanged: 4,
  problems: [],
  source: { fileName: 'f.csv', format: 'csv' },
};

const access = (rights: Partial<TableAccess>): TableAccess => ({
  canView: true,
  canEdit: true,
  canAdd: true,
  canDelete: true,
  canApprove: false,
  canRunPlaybooks: false,
  readOnlyReason: null,
  columns: {},
  ...rights,
});

describe('changesOf', () => {
  it('adds refuse to overwrite, updates write only changed columns and expect what the dry run saw, deletes expect', () => {
    const changes = changesOf(plan, 't1', (i) => `id-${i}`);
    expect(changes).toEqual([
      {
        id: 'id-0',
        tableId: 't1',
        key: 'New',
        kind: 'create',
        write: { key: 'New', Message: 'hi' },
        ifExists: 'conflict',
      },
      {
        id: 'id-1',
        tableId: 't1',
        key: 'Old',
        kind: 'update',
        write: { Message: 'now' },
        expect: { key: 'Old', Message: 'was', Priority: 1 },
      },
      { id: 'id-2', tableId: 't1', key: 'Gone', kind: 'delete', expect: { key: 'Gone', Message: 'bye' } },
    ]);
    expect([0, 1, 2].map((i) => lineOf(plan, i))).toEqual([2, 3, null]);
  });
});

describe('rollbackRefusal', () => {
  it('all or nothing needs the rights to write the inverse', () => {
    expect(rollbackRefusal(plan, access({}))).toBeNull();
    expect(rollbackRefusal(plan, access({ canDelete: false }))).toContain('delete rows');
    expect(rollbackRefusal(plan, access({ canAdd: false }))).toContain('add rows');
  });
});

describe('groupProblems', () => {
  it('groups by kind in the fixed order, then by line and column', () => {
    const groups = groupProblems([
      { kind: 'bad_type', line: 9, column: 'B', message: 'x' },
      { kind: 'file', message: 'inconsistent columns' },
      { kind: 'bad_type', line: 2, column: 'C', message: 'y' },
      { kind: 'bad_type', line: 2, column: 'A', message: 'z' },
    ]);
    expect(groups.map((g) => [g.kind, g.count])).toEqual([
      ['file', 1],
      ['bad_type', 3],
    ]);
    expect(groups[1]!.problems.map((p) => `${p.line}${p.column}`)).toEqual(['2A', '2C', '9B']);
  });
});
