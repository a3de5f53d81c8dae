// Formats as administrators give them and as the engine applies them: the options checked when saved, stored
// formats read back fail-closed, which formats fit which Genesys type, and the engine's two steps (canonical
// values before comparing; refusal of changed values only, never naming a hidden column).
import { describe, expect, it } from 'vitest';
import type { TableSchema } from '../../src/genesys/gateway.js';
import { ValidationError } from '../../src/lib/errors.js';
import type { RowChange } from '../../src/features/changes/row-change.js';
import { canonicalChange, formatRefusal, type FormatRules } from '../../src/features/formats/format-enforcement.js';
import {
  checkedSpec,
  formatApplies,
  formatMisfit,
  optionsOf,
  parseFormatForm,
  storedSpec,
} from '../../src/features/formats/format-spec.js';
import type { ColumnFormatSpec } from '../../src/features/formats/format-types.js';

const fieldErrorsOf = (fn: () => unknown): Record<string, string> => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.fieldErrors;
    throw err;
  }
  throw new Error('not refused');
};

describe('the formats form', () => {
  it.each<[Record<string, string>, ColumnFormatSpec | null]>([
    [{ kind: '' }, null],
    [{ kind: 'date' }, { kind: 'date' }],
    [
      { kind: 'list', values: ' Gold \r\nSilver\n\nBronze ' },
      { kind: 'list', values: ['Gold', 'Silver', 'Bronze'] },
    ],
    [
      { kind: 'pattern', pattern: '[A-Z]{2}', message: ' two capitals ' },
      { kind: 'pattern', pattern: '[A-Z]{2}', message: 'two capitals' },
    ],
    [
      { kind: 'range', min: '0', max: '' },
      { kind: 'range', min: 0, max: null },
    ],
    [
      { kind: 'range', min: '-1.5', max: '1e3' },
      { kind: 'range', min: -1.5, max: 1000 },
    ],
  ])('%j reads as %j', (body, spec) => {
    expect(parseFormatForm(body)).toEqual(spec);
  });

  it.each<[Record<string, string>, string, RegExp]>([
    [{ kind: 'colour' }, 'kind', /“colour” is not a format/],
    [{ kind: 'list', values: '\n \n' }, 'values', /at least one/],
    [{ kind: 'list', values: 'Gold\ngold' }, 'values', /twice/],
    [{ kind: 'list', values: Array.from({ length: 201 }, (_, i) => `v${i}`).join('\n') }, 'values', /at most 200/],
    [{ kind: 'pattern', pattern: '', message: 'm' }, 'pattern', /Give the regular expression/],
    [{ kind: 'pattern', pattern: '(', message: 'm' }, 'pattern', /not a valid regular expression/],
    [{ kind: 'pattern', pattern: 'a', message: '' }, 'message', /Say in words/],
    [{ kind: 'range', min: '', max: '' }, 'min', /lowest value, a highest value, or both/],
    [{ kind: 'range', min: 'ten', max: '' }, 'min', /“ten” is not/],
    [{ kind: 'range', min: '5', max: '1' }, 'max', /below the lowest/],
  ])('refuses %j at field %s', (body, field, message) => {
    expect(fieldErrorsOf(() => parseFormatForm(body))[field]).toMatch(message);
  });
});

describe('stored formats', () => {
  it('read back as saved', () => {
    const spec: ColumnFormatSpec = { kind: 'list', values: ['a', 'b'] };
    expect(storedSpec(spec.kind, JSON.stringify(optionsOf(spec)))).toEqual(spec);
    expect(storedSpec('time', '{}')).toEqual({ kind: 'time' });
  });

  it.each([
    ['colour', '{}'],
    ['list', 'not json'],
    ['list', '{"values":[]}'],
    ['pattern', '{"pattern":"(a+)+","message":"m"}'],
    ['range', 'null'],
  ])('%s %s reads as nothing', (kind, options) => {
    expect(storedSpec(kind, options)).toBeNull();
  });
});

describe('formats and Genesys types', () => {
  it.each<[ColumnFormatSpec, 'string' | 'integer' | 'number' | 'boolean', boolean]>([
    [{ kind: 'date' }, 'string', true],
    [{ kind: 'date' }, 'integer', false],
    [{ kind: 'email' }, 'number', false],
    [{ kind: 'range', min: 1, max: 2 }, 'integer', true],
    [{ kind: 'range', min: 1, max: 2 }, 'boolean', false],
    [{ kind: 'list', values: ['1', '2'] }, 'integer', true],
    [{ kind: 'list', values: ['1', '2.5'] }, 'integer', false],
    [{ kind: 'list', values: ['1', '2.5'] }, 'number', true],
    [{ kind: 'list', values: ['a'] }, 'number', false],
    [{ kind: 'list', values: ['yes'] }, 'boolean', false],
  ])('%j on a %s column: fits %s', (spec, type, fits) => {
    expect(formatMisfit(spec, type, 'C') === null).toBe(fits);
    expect(formatApplies(spec, type)).toBe(fits);
  });
});

const schema: TableSchema = {
  properties: {
    key: { type: 'string', title: 'Day' },
    Open: { type: 'string' },
    Secret: { type: 'string' },
    Priority: { type: 'integer' },
  },
} as unknown as TableSchema;
const rules: FormatRules = {
  formats: new Map<string, ColumnFormatSpec>([
    ['key', { kind: 'date' }],
    ['Open', { kind: 'time' }],
    ['Secret', { kind: 'email' }],
    ['Priority', { kind: 'range', min: 1, max: 5 }],
  ]),
  schema,
  visible: ['key', 'Open', 'Priority'],
};

describe('the engine’s canonical values', () => {
  it('makes written values canonical and leaves broken ones as typed', () => {
    const c: RowChange = {
      id: 'x',
      kind: 'update',
      tableId: 't',
      key: '2026-1-5',
      write: { Open: '8:00', Secret: 'nope', Priority: 3 },
    };
    expect(canonicalChange(c, rules)).toEqual({ ...c, write: { Open: '08:00', Secret: 'nope', Priority: 3 } });
  });

  it('makes a new row’s key canonical, never the key of a row that may exist', () => {
    const create: RowChange = { id: 'x', kind: 'create', tableId: 't', key: '2026-1-5', write: { key: '2026-1-5' } };
    expect(canonicalChange(create, rules)).toMatchObject({ key: '2026-01-05', write: { key: '2026-01-05' } });
    const replace: RowChange = { ...create, ifExists: 'replace' };
    expect(canonicalChange(replace, rules)).toMatchObject({ key: '2026-1-5', write: { key: '2026-1-5' } });
  });
});

describe('the engine’s refusal', () => {
  it('checks only the values a write changes', () => {
    const before = { key: '2026-01-05', Open: '8am', Priority: 9 };
    expect(formatRefusal(rules, before, { ...before, Open: '8am' })).toBeNull();
    const refused = formatRefusal(rules, before, { ...before, Open: '25:00', Priority: 0 });
    expect(refused?.fieldErrors).toEqual({
      Open: 'Open must be a time of day, HH:MM on the 24-hour clock like 17:30; “25:00” is not.',
      Priority: 'Priority must be a number from 1 to 5; “0” is not.',
    });
  });

  it('checks every value of a new row, the key needing one', () => {
    expect(formatRefusal(rules, null, { key: '', Open: '' })?.fieldErrors).toEqual({ key: 'Day needs a value.' });
  });

  it('never names a column hidden from the actor', () => {
    const refused = formatRefusal(rules, { key: 'k', Secret: '' }, { key: 'k', Secret: 'not an address' });
    expect(refused?.fieldErrors).toEqual({
      _form: 'A column you cannot see would get a value that breaks its format.',
    });
    expect(refused?.message).not.toContain('Secret');
  });
});
