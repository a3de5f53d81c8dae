// Effective rights of one user on one table (permissions/access.ts): deny by default, administrators have every
// right, a read-only org allows no writes for anyone, and column grants fall back to the grant's default.
import { describe, expect, it } from 'vitest';
import {
  columnAccess,
  isColumnAccess,
  NO_RIGHTS,
  orderedColumns,
  resolveAccess,
  visibleColumns,
  writableColumns,
  type StoredRights,
} from '../../src/features/permissions/access.js';
import type { TableSchema } from '../../src/genesys/gateway.js';

const schema = {
  required: ['key'],
  additionalProperties: false,
  properties: {
    Priority: { type: 'integer', displayOrder: 2 },
    key: { type: 'string', displayOrder: 5 },
    Message: { type: 'string', displayOrder: 1 },
    Notes: { type: 'string' }, // no display order: after those that have one
    Active: { type: 'boolean', displayOrder: 1 }, // same order as Message: by name
  },
} as unknown as TableSchema;

const grant = (rights: Partial<StoredRights>): StoredRights => ({ ...NO_RIGHTS, canView: true, ...rights });
const resolve = (rights: StoredRights | null, opts: { isAdmin?: boolean; orgReadOnly?: boolean } = {}) =>
  resolveAccess({
    isAdmin: opts.isAdmin ?? false,
    orgReadOnly: opts.orgReadOnly ?? false,
    orgName: 'Acme Prod',
    rights,
    schema,
  });

describe('resolveAccess', () => {
  it('denies everything to a user without a grant', () => {
    const access = resolve(null);
    expect(access).toMatchObject({
      canView: false,
      canEdit: false,
      canAdd: false,
      canDelete: false,
      readOnlyReason: null,
    });
    expect(visibleColumns(access)).toEqual([]);
    expect(writableColumns(access)).toEqual([]);
  });

  it('gives an administrator every right and every column, whatever a stored grant says', () => {
    const access = resolve(grant({ canEdit: false, defaultColumnAccess: 'hidden' }), { isAdmin: true });
    expect(access).toMatchObject({ canView: true, canEdit: true, canAdd: true, canDelete: true });
    expect(writableColumns(access)).toEqual(['key', 'Active', 'Message', 'Priority', 'Notes']);
  });

  it('lets a read-only org be read but changed by nobody, administrators included, and says why', () => {
    for (const access of [
      resolve(null, { isAdmin: true, orgReadOnly: true }),
      resolve(grant({ canEdit: true, canAdd: true, canDelete: true, defaultColumnAccess: 'write' }), {
        orgReadOnly: true,
      }),
    ]) {
      expect(access).toMatchObject({ canView: true, canEdit: false, canAdd: false, canDelete: false });
      expect(access.readOnlyReason).toContain('“Acme Prod” is read-only');
      expect(writableColumns(access)).toEqual([]);
      expect(visibleColumns(access)).toEqual(['key', 'Active', 'Message', 'Priority', 'Notes']);
    }
  });

  it('gives nothing when the view right is off, even with edit rights and writable columns', () => {
    const access = resolve(
      grant({
        canView: false,
        canEdit: true,
        canAdd: true,
        canDelete: true,
        defaultColumnAccess: 'write',
        columns: { key: 'write' },
      }),
    );
    expect(access).toMatchObject({ canView: false, canEdit: false, canAdd: false, canDelete: false });
    expect(visibleColumns(access)).toEqual([]);
  });

  it('uses a column grant where there is one and the default elsewhere, in display order', () => {
    const access = resolve(
      grant({ canEdit: true, defaultColumnAccess: 'read', columns: { Message: 'write', Notes: 'hidden' } }),
    );
    expect(access.columns).toEqual({
      key: 'read',
      Active: 'read',
      Message: 'write',
      Priority: 'read',
      Notes: 'hidden',
    });
    expect(visibleColumns(access)).toEqual(['key', 'Active', 'Message', 'Priority']);
    expect(writableColumns(access)).toEqual(['Message']);
    expect(access).toMatchObject({ canEdit: true, canAdd: false, canDelete: false });
  });

  it('does not let a table right widen a column grant, nor a column grant widen a table right', () => {
    const noEdit = resolve(grant({ canEdit: false, defaultColumnAccess: 'write' }));
    expect(noEdit.canEdit).toBe(false); // columns say write; the table says no editing
    const hiddenDefault = resolve(grant({ canEdit: true, canAdd: true, defaultColumnAccess: 'hidden' }));
    expect(visibleColumns(hiddenDefault)).toEqual([]); // may edit the table, but sees no column
  });

  it('answers undefined, not a prototype member, for a name that is not a column', () => {
    const access = resolve(grant({ defaultColumnAccess: 'read' }));
    expect(access.columns.constructor).toBeUndefined();
    expect(access.columns.toString).toBeUndefined();
  });
});

describe('columnAccess', () => {
  it('falls back to the default for a column the grant does not name or names with an unknown access', () => {
    const rights = grant({ defaultColumnAccess: 'read', columns: { Message: 'write', Odd: 'admin' as never } });
    expect(columnAccess(rights, 'Message')).toBe('write');
    expect(columnAccess(rights, 'Old column')).toBe('read'); // audit entries name columns of older schemas
    expect(columnAccess(rights, 'Odd')).toBe('read');
  });
});

describe('orderedColumns and isColumnAccess', () => {
  it('puts key first, then display order, then name; columns without an order last', () => {
    expect(orderedColumns(schema)).toEqual(['key', 'Active', 'Message', 'Priority', 'Notes']);
  });

  it('knows the three access levels and nothing else', () => {
    for (const v of ['hidden', 'read', 'write']) expect(isColumnAccess(v)).toBe(true);
    for (const v of ['Write', 'admin', '', null, undefined, 1, {}]) expect(isColumnAccess(v)).toBe(false);
  });
});
