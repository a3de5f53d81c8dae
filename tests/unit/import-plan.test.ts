import { describe, expect, it } from 'vitest';
import type { Row, TableSchema } from '../../src/genesys/gateway.js';
import { exactCsv } from '../../src/lib/downloads.js';
import { csvCells } from '../../src/features/tables/export-service.js';
import type { ColumnFormatSpec } from '../../src/features/formats/format-types.js';
import { parseUpload } from '../../src/features/imports/import-parse.js';
import { autoMapping } from '../../src/features/imports/import-mapping.js';
import { blockingProblems, planImport, type PlanInput } from '../../src/features/imports/import-plan.js';
import type { ImportMode, ParsedSheet } from '../../src/features/imports/import-types.js';
import { resolveAccess, visibleColumns, type StoredRights } from '../../src/features/permissions/access.js';

const schema: TableSchema = {
  required: ['key'],
  additionalProperties: false,
  properties: {
    key: { type: 'string', title: 'Holiday', displayOrder: 0 },
    date: { type: 'string', title: 'Date de début', displayOrder: 1 },
    open: { type: 'boolean', title: 'Open', displayOrder: 2 },
    seats: { type: 'integer', title: 'Seats', displayOrder: 3 },
    rate: { type: 'number', title: 'Rate', displayOrder: 4 },
    note: { type: 'string', title: 'Note', displayOrder: 5 },
    secret: { type: 'string', title: 'Secret', displayOrder: 6 },
    constructor: { type: 'string' as const, title: 'constructor', displayOrder: 7 },
  },
};
const table = { schema };
const baseRights: StoredRights = {
  canView: true,
  canEdit: true,
  canAdd: true,
  canDelete: true,
  canApprove: false,
  canRunPlaybooks: false,
  defaultColumnAccess: 'write',
  columns: Object.assign(Object.create(null) as Record<string, 'hidden' | 'read' | 'write'>, {
    secret: 'hidden',
    note: 'read',
  }),
};
const accessFor = (rights: Partial<StoredRights> = {}, orgReadOnly = false) =>
  resolveAccess({ isAdmin: false, orgReadOnly, orgName: 'Acme', rights: { ...baseRights, ...rights }, schema });
const admin = resolveAccess({ isAdmin: true, orgReadOnly: false, orgName: 'Acme', rights: null, schema });

const tableRows: Row[] = [
  { key: 'xmas', date: '2026-12-25', open: false, seats: 0, rate: 1.5, note: 'closed', secret: 'TOP-SECRET-1' },
  { key: 'ny', date: '2027-01-01', open: false, seats: 2, note: 'half day', secret: 'TOP-SECRET-2' },
];

function sheetOf(lines: string[][]): ParsedSheet {
  const [header, ...records] = lines;
  return {
    fileName: 'h.csv',
    format: 'csv',
    delimiter: ',',
    encoding: 'UTF-8',
    header: header!,
    records: records.map((cells, i) => ({ line: i + 2, cells })),
    problems: [],
  };
}

function plan(lines: string[][], opts: Partial<PlanInput> & { mode?: ImportMode } = {}) {
  const sheet = sheetOf(lines);
  const access = opts.access ?? accessFor();
  return planImport({
    sheet,
    mapping: opts.mapping ?? autoMapping(sheet.header, { table, columns: visibleColumns(access) }),
    mode: opts.mode ?? 'upsert',
    table,
    access,
    rows: opts.rows ?? tableRows,
    formats: opts.formats ?? new Map(),
  });
}
const kinds = (p: { problems: { kind: string; line?: number; column?: string }[] }) =>
  p.problems.map((x) => [x.kind, x.line, x.column]);

describe('autoMapping', () => {
  it('matches by name or title, ignoring case, accents and blanks; never a hidden column', () => {
    const access = accessFor();
    const mapping = autoMapping(['HOLIDAY', 'date_de_debut', ' open ', 'Seats', 'Secret', 'Whatever', 'constructor'], {
      table,
      columns: visibleColumns(access),
    });
    expect({ ...mapping }).toEqual({
      HOLIDAY: 'key',
      date_de_debut: 'date',
      ' open ': 'open',
      Seats: 'seats',
      constructor: 'constructor',
    });
    expect(Object.hasOwn(mapping, 'Secret')).toBe(false); // the same as a header matching nothing (R6)
  });
});

describe('planImport: modes', () => {
  const file = [
    ['key', 'date', 'open', 'seats', 'rate'],
    ['xmas', '2026-12-25', 'no', '0', '1.50'],
    ['ny', '2027-01-01', 'yes', '2', ''],
    ['easter', '2027-03-28', 'true', '', '2'],
  ];

  it('upsert: adds new keys, updates changed columns with before/after, counts unchanged rows', () => {
    const p = plan(file);
    expect(p.problems).toEqual([]);
    expect(p.columns).toEqual(['key', 'date', 'open', 'seats', 'rate']);
    expect(p.adds).toEqual([
      { line: 4, key: 'easter', row: { key: 'easter', date: '2027-03-28', open: true, rate: 2 } },
    ]);
    expect(p.updates).toEqual([
      {
        line: 3,
        key: 'ny',
        before: { key: 'ny', date: '2027-01-01', open: false, seats: 2, note: 'half day' },
        after: { key: 'ny', date: '2027-01-01', open: true, seats: 2, note: 'half day' },
        changed: ['open'],
      },
    ]);
    expect(p.unchanged).toBe(1); // 1.50 = 1.5 and "no" = false: compared by meaning
    expect(p.deletes).toEqual([]);
  });

  it('add: only new keys; an existing key with other values is reported, an equal one is unchanged', () => {
    const p = plan(file, { mode: 'add' });
    expect(p.adds.map((a) => a.key)).toEqual(['easter']);
    expect(p.updates).toEqual([]);
    expect(kinds(p)).toEqual([['duplicate_key', 3, 'key']]);
    expect(p.problems[0]!.message).toMatch(/already has a row “ny” with other values/);
    expect(p.unchanged).toBe(1);
  });

  it('exact: rows missing from the file are listed as deletes, separately; without the delete right it is refused', () => {
    const p = plan([file[0]!, file[1]!], { mode: 'exact' });
    expect(p.deletes).toEqual([
      { key: 'ny', before: { key: 'ny', date: '2027-01-01', open: false, seats: 2, note: 'half day' } },
    ]);
    const refused = plan([file[0]!, file[1]!], { mode: 'exact', access: accessFor({ canDelete: false }) });
    expect(kinds(refused)).toEqual([['no_delete_right', undefined, undefined]]);
    expect(plan(file, { mode: 'upsert', access: accessFor({ canDelete: false }) }).problems).toEqual([]);
  });
});

describe('planImport: every problem kind', () => {
  it('bad type: a value the column type cannot hold, with line and column', () => {
    const p = plan([
      ['key', 'seats', 'open', 'rate'],
      ['a', 'many', 'maybe', '1,5'],
    ]);
    expect(kinds(p)).toEqual([
      ['bad_type', 2, 'Seats'],
      ['bad_type', 2, 'Open'],
      ['bad_type', 2, 'Rate'],
    ]);
    expect(p.problems[0]!.message).toBe('Line 2: Seats must be a whole number, like 42.');
    expect(p.adds).toEqual([]);
  });

  it('bad format: the column format’s validator decides, and the canonical text is what is written', () => {
    const formats = new Map<string, ColumnFormatSpec>([['date', { kind: 'date' }]]);
    const p = plan(
      [
        ['key', 'date'],
        ['a', '2026-13-45'],
        ['b', '2026-1-5'],
        ['xmas', '2026-12-25'],
      ],
      { formats },
    );
    expect(kinds(p)).toEqual([['bad_format', 2, 'Date de début']]);
    expect(p.problems[0]!.message).toMatch(/^Line 2: Date de début/);
    expect(p.adds).toEqual([{ line: 3, key: 'b', row: { key: 'b', date: '2026-01-05' } }]);
    expect(p.unchanged).toBe(1);
  });

  it('duplicate key in the file: every line with it is left out', () => {
    const p = plan([
      ['key', 'seats'],
      ['a', '1'],
      ['b', '1'],
      ['a', '2'],
    ]);
    expect(kinds(p)).toEqual([['duplicate_key', 4, 'key']]);
    expect(p.problems[0]!.message).toBe(
      'Line 4 repeats the key “a” of line 2. A key may appear once: keep one of the lines.',
    );
    expect(p.adds.map((a) => a.key)).toEqual(['b']);
  });

  it('key too long, `.` and `..` keys, blanks around a key, and a missing key', () => {
    const p = plan([['key'], ['k'.repeat(257)], ['.'], ['..'], [' padded'], [''], ['k'.repeat(256)]]);
    expect(kinds(p)).toEqual([
      ['key_too_long', 2, 'key'],
      ['dot_key', 3, 'key'],
      ['dot_key', 4, 'key'],
      ['bad_format', 5, 'key'],
      ['missing_key', 6, 'key'],
    ]);
    expect(p.adds.map((a) => a.key)).toEqual(['k'.repeat(256)]);
  });

  it('missing key column: nothing is compared', () => {
    const p = plan([['date'], ['2026-01-01']]);
    expect(kinds(p)).toEqual([['missing_key', undefined, undefined]]);
    expect(p.problems[0]!.message).toMatch(/mapped to the key \(“Holiday”\)/);
    expect([p.adds, p.updates, p.deletes]).toEqual([[], [], []]);
  });

  it('the 5,000-row limit counts the table’s rows after the import', () => {
    const rows = Array.from({ length: 4990 }, (_, i) => ({ key: `r${i}` }) as Row);
    const file = [['key'], ...Array.from({ length: 11 }, (_, i) => [`new${i}`])];
    expect(kinds(plan(file, { rows }))).toEqual([['row_limit', undefined, undefined]]);
    expect(plan(file, { rows }).problems[0]!.message).toMatch(
      /would have 5,001 rows; a data table holds at most 5,000/,
    );
    expect(plan(file.slice(0, 11), { rows }).problems).toEqual([]);
    expect(plan(file, { rows, mode: 'exact' }).problems).toEqual([]); // exact deletes the 4,990 rows first
  });

  it('a hidden column mapped: refused in the words used for no column at all, and no hidden value anywhere (R6)', () => {
    const toHidden = plan(
      [
        ['key', 'S'],
        ['xmas', 'guess'],
      ],
      { mapping: { key: 'key', S: 'secret' } },
    );
    const toNothing = plan(
      [
        ['key', 'S'],
        ['xmas', 'guess'],
      ],
      { mapping: { key: 'key', S: 'nope' } },
    );
    expect(kinds(toHidden)).toEqual([['hidden_column', undefined, 'S']]);
    expect(toHidden.problems).toEqual(toNothing.problems);
    const exact = plan(
      [
        ['key', 'note'],
        ['xmas', 'closed'],
      ],
      { mode: 'exact' },
    );
    expect(JSON.stringify([toHidden, exact])).not.toMatch(/TOP-SECRET/);
    expect(JSON.stringify(toHidden.problems)).not.toMatch(/secret/i);
  });

  it('a read-only column may be in the file unchanged; changing it is refused for that line', () => {
    const same = plan([
      ['key', 'note'],
      ['xmas', 'closed'],
      ['ny', 'half day'],
    ]);
    expect(same.problems).toEqual([]);
    expect(same.columns).toEqual(['key']);
    const changed = plan([
      ['key', 'note', 'seats'],
      ['xmas', 'open late', '5'],
      ['new', 'x', '1'],
      ['new2', '', '1'],
    ]);
    expect(kinds(changed)).toEqual([
      ['read_only_column', 2, 'Note'],
      ['read_only_column', 3, 'Note'],
    ]);
    expect(changed.updates).toEqual([]);
    expect(changed.adds.map((a) => a.key)).toEqual(['new2']);
  });

  it('a column the user may not write: no edit right, or the org is read-only', () => {
    const noEdit = plan(
      [
        ['key', 'seats'],
        ['xmas', '5'],
        ['new', '1'],
      ],
      { access: accessFor({ canEdit: false }) },
    );
    expect(kinds(noEdit)).toEqual([['not_writable', undefined, undefined]]);
    expect(noEdit.problems[0]!.message).toBe(
      'You may not edit rows in this table, and the file changes existing rows on line 2.',
    );
    expect(noEdit.adds.map((a) => a.key)).toEqual(['new']);
    const readOnlyOrg = plan(
      [
        ['key', 'seats'],
        ['xmas', '5'],
      ],
      { access: accessFor({}, true) },
    );
    expect(kinds(readOnlyOrg)).toEqual([['not_writable', undefined, undefined]]);
    expect(readOnlyOrg.problems[0]!.message).toMatch(/The org “Acme” is read-only/);
  });

  it('no add right: new keys are refused with their lines', () => {
    const p = plan(
      [
        ['key', 'seats'],
        ['xmas', '0'],
        ['new', '1'],
        ['new2', '1'],
      ],
      { access: accessFor({ canAdd: false }) },
    );
    expect(kinds(p)).toEqual([['no_add_right', undefined, undefined]]);
    expect(p.problems[0]!.message).toBe('You may not add rows to this table, and the file has new keys on lines 3, 4.');
    expect(p.adds).toEqual([]);
  });

  it('unknown columns are named and do not block; a problem of the file on a line leaves the row out but keeps it', () => {
    const sheet = sheetOf([
      ['key', 'Colour', 'seats'],
      ['xmas', 'red', '9'],
      ['ny', 'blue', '2'],
    ]);
    sheet.problems.push({ kind: 'file', line: 2, column: 'seats', message: 'formula' });
    const access = accessFor();
    const p = planImport({
      sheet,
      mapping: autoMapping(sheet.header, { table, columns: visibleColumns(access) }),
      mode: 'exact',
      table,
      access,
      rows: tableRows,
      formats: new Map(),
    });
    expect(kinds(p)).toEqual([
      ['file', 2, 'seats'],
      ['unknown_column', undefined, 'Colour'],
    ]);
    expect(blockingProblems(p).map((x) => x.kind)).toEqual(['file']);
    expect(p.updates).toEqual([]);
    expect(p.deletes).toEqual([]); // xmas is in the file, even if its line is wrong
  });
});

describe('columns named like Object members', () => {
  it('a column called __proto__ is a column like any other', () => {
    const odd: TableSchema = {
      required: ['key'],
      additionalProperties: false,
      properties: JSON.parse('{"key":{"type":"string"},"__proto__":{"type":"string"}}') as TableSchema['properties'],
    };
    const access = resolveAccess({ isAdmin: true, orgReadOnly: false, orgName: 'Acme', rights: null, schema: odd });
    const sheet = sheetOf([
      ['key', '__proto__'],
      ['a', 'v'],
      ['b', 'new'],
    ]);
    const rows = [JSON.parse('{"key":"b","__proto__":"old"}') as Row];
    const p = planImport({
      sheet,
      mapping: autoMapping(sheet.header, { table: { schema: odd }, columns: visibleColumns(access) }),
      mode: 'upsert',
      table: { schema: odd },
      access,
      rows,
      formats: new Map(),
    });
    expect(p.problems).toEqual([]);
    expect(Object.hasOwn(p.adds[0]!.row, '__proto__') && p.adds[0]!.row['__proto__']).toBe('v');
    expect(p.updates.map((u) => [u.changed, Object.hasOwn(u.after, '__proto__') && u.after['__proto__']])).toEqual([
      [['__proto__'], 'new'],
    ]);
  });
});

describe('round trip: the exact CSV export imports back as no changes', () => {
  it('booleans, numbers, empty values, odd keys and a column named constructor', async () => {
    const rows: Row[] = [
      {
        key: 'v1.2',
        date: '2026-01-01',
        open: true,
        seats: 10,
        rate: 0.1,
        note: 'a, "quoted"\nnote',
        constructor: 'x',
      },
      { key: 'a/b', open: false, seats: -3, rate: 1e21 },
      { key: '100%', note: '' },
      { key: '🎄 Noël', note: 'ünïcödé', constructor: '' },
      { key: 'k'.repeat(256), rate: 2.5, note: '-5' },
      { key: '.', note: 'made in Architect' },
      { key: 'trailing space ', seats: 0 },
    ];
    const columns = visibleColumns(admin);
    const csv = exactCsv(columns, csvCells(columns, rows)); // as export-service.ts builds it
    const sheet = await parseUpload({ name: 'Holidays (exact).csv', bytes: Buffer.from(csv) });
    expect(sheet.problems).toEqual([]);
    for (const mode of ['upsert', 'exact'] as const) {
      const p = planImport({
        sheet,
        mapping: autoMapping(sheet.header, { table, columns }),
        mode,
        table,
        access: admin,
        rows,
        formats: new Map(),
      });
      expect(p.problems).toEqual([]);
      expect([p.adds, p.updates, p.deletes]).toEqual([[], [], []]);
      expect(p.unchanged).toBe(rows.length);
    }
  });
});
