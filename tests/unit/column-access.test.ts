// The one column rule (permissions/access.ts), with columns named like Object.prototype members.
import { describe, expect, it } from 'vitest';
import {
  columnAccess,
  resolveAccess,
  visibleColumns,
  type StoredRights,
} from '../../src/features/permissions/access.js';
import { toRights } from '../../src/features/permissions/permission-repository.js';

const PROTOTYPE_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'isPrototypeOf'];

function schemaWith(names: string[]) {
  const properties = Object.fromEntries(
    ['key', 'Message', ...names].map((n, i) => [n, { type: 'string' as const, title: n, displayOrder: i }]),
  );
  return { properties, required: ['key'], additionalProperties: false } as unknown as Parameters<
    typeof resolveAccess
  >[0]['schema'];
}
// As stored: a grant made before the odd columns existed (default hidden), read the way the app reads it.
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

describe('the column rule', () => {
  it('columns named like Object.prototype members get the grant’s default, not a prototype member', () => {
    for (const name of PROTOTYPE_NAMES) expect(columnAccess(grant, name), name).toBe('hidden');
    // Even for rights built as plain objects (tests, older callers).
    const plain: StoredRights = { ...grant, columns: { key: 'read' } };
    for (const name of PROTOTYPE_NAMES) expect(columnAccess(plain, name), name).toBe('hidden');
    const access = resolveAccess({
      isAdmin: false,
      orgReadOnly: false,
      orgName: 'O',
      rights: grant,
      schema: schemaWith(PROTOTYPE_NAMES),
    });
    expect(visibleColumns(access)).toEqual(['key', 'Message']);
    expect(
      resolveAccess({
        isAdmin: true,
        orgReadOnly: false,
        orgName: 'O',
        rights: null,
        schema: schemaWith(PROTOTYPE_NAMES),
      }).columns.constructor,
    ).toBe('write');
  });

  it('no view right hides every column; an administrator (null rights) sees all', () => {
    expect(columnAccess({ ...grant, canView: false }, 'Message')).toBe('hidden');
    expect(columnAccess(null, 'anything')).toBe('write');
  });
});
