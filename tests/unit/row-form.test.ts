// Row forms (tables/row-form.ts): which columns a submitted form touches and their values, typed by the live
// schema; unknown and hidden fields get the same 400, every bad value is named next to its field.
import { describe, expect, it } from 'vitest';
import { resolveAccess, NO_RIGHTS, type StoredRights } from '../../src/features/permissions/access.js';
import { baselineOf, parseRowForm, typedValues } from '../../src/features/tables/row-form.js';
import type { TableSchema } from '../../src/genesys/gateway.js';
import { ValidationError } from '../../src/lib/errors.js';

const schema = {
  required: ['key'],
  additionalProperties: false,
  properties: {
    key: { type: 'string', title: 'Key', displayOrder: 0 },
    Message: { type: 'string', title: 'Message', maxLength: 10, displayOrder: 1 },
    Priority: { type: 'integer', title: 'Priority', minimum: 1, maximum: 5, displayOrder: 2 },
    Ratio: { type: 'number', displayOrder: 3 },
    Active: { type: 'boolean', title: 'Active', displayOrder: 4 },
    Secret: { type: 'string', displayOrder: 5 },
  },
} as unknown as TableSchema;

const admin = resolveAccess({ isAdmin: true, orgReadOnly: false, orgName: 'O', rights: null, schema });
const editor = resolveAccess({
  isAdmin: false,
  orgReadOnly: false,
  orgName: 'O',
  rights: {
    ...NO_RIGHTS,
    canView: true,
    canEdit: true,
    defaultColumnAccess: 'write',
    columns: { Secret: 'hidden', Ratio: 'read' },
  } satisfies StoredRights,
  schema,
});

/** The ValidationError a parse throws (fails the test if it does not throw one). */
function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseRowForm', () => {
  it('types each submitted value by its column and returns the baseline and the reason', () => {
    const parsed = parseRowForm(
      {
        _csrf: 't',
        'f:Message': 'Hello',
        'f:Priority': ' 3 ',
        'f:Ratio': '0.25',
        'b:Active': '1',
        'f:Active': 'yes',
        'o:Message': 'Before',
        reason: '  storm  ',
      },
      schema,
      admin,
      'update',
    );
    expect(parsed).toEqual({
      values: { Message: 'Hello', Priority: 3, Ratio: 0.25, Active: true },
      baseline: { Message: 'Before' },
      reason: 'storm',
    });
  });

  it('reads an unticked checkbox (marker without value) as false, and touches only the columns on the form', () => {
    expect(parseRowForm({ 'b:Active': '1' }, schema, admin, 'update').values).toEqual({ Active: false });
    expect(parseRowForm({ 'f:Message': 'x' }, schema, admin, 'update').values).toEqual({ Message: 'x' });
  });

  it('answers a hidden column exactly like a column that does not exist', () => {
    const hidden = refusal(() => parseRowForm({ 'f:Secret': 'x' }, schema, editor, 'update'));
    const missing = refusal(() => parseRowForm({ 'f:Nope': 'x' }, schema, editor, 'update'));
    expect(hidden.message).toBe('“Secret” is not a column of this table.');
    expect(missing.message).toBe('“Nope” is not a column of this table.');
    expect(hidden.status).toBe(400);
    // The same for the baseline field of a hidden column.
    expect(refusal(() => parseRowForm({ 'o:Secret': 'x' }, schema, editor, 'update')).message).toBe(
      '“Secret” is not a column of this table.',
    );
    // An administrator's form may carry it.
    expect(parseRowForm({ 'f:Secret': 'x' }, schema, admin, 'update').values).toEqual({ Secret: 'x' });
  });

  it('leaves a visible read-only column to the table service (refused there with 403, not dropped here)', () => {
    expect(parseRowForm({ 'f:Ratio': '2' }, schema, editor, 'update').values).toEqual({ Ratio: 2 });
  });

  it('refuses fields without a known prefix, and prototype-named fields', () => {
    expect(refusal(() => parseRowForm({ Message: 'x' }, schema, admin, 'update')).message).toBe(
      'Unexpected form field “Message”.',
    );
    expect(refusal(() => parseRowForm({ 'f:constructor': 'x' }, schema, admin, 'update')).message).toBe(
      '“constructor” is not a column of this table.',
    );
    expect(refusal(() => parseRowForm(JSON.parse('{"f:__proto__":"x"}'), schema, admin, 'update')).message).toBe(
      '“__proto__” is not a column of this table.',
    );
  });

  it('names every bad value next to its field, and writes nothing of a form with one', () => {
    const error = refusal(() =>
      parseRowForm(
        {
          'f:Message': 'far too long a message',
          'f:Priority': '9',
          'f:Ratio': 'abc',
          'f:Active': 'maybe',
          'b:Active': '1',
        },
        schema,
        admin,
        'update',
      ),
    );
    expect(error.message).toBe('Please correct the highlighted fields.');
    expect(error.fieldErrors).toEqual({
      Message: 'Message may be at most 10 characters.',
      Priority: 'Priority must be at most 5.',
      Ratio: 'Ratio must be a number, like 4.5.',
      Active: 'Active must be yes or no (or true/false, 1/0); “maybe” is neither.',
    });
    expect(refusal(() => parseRowForm({ 'f:Priority': '1.5' }, schema, admin, 'update')).fieldErrors).toEqual({
      Priority: 'Priority must be a whole number, like 42.',
    });
    expect(refusal(() => parseRowForm({ 'f:Priority': '0' }, schema, admin, 'update')).fieldErrors).toEqual({
      Priority: 'Priority must be at least 1.',
    });
    expect(refusal(() => parseRowForm({ 'f:Priority': '' }, schema, admin, 'update')).fieldErrors).toEqual({
      Priority: 'Priority needs a value.',
    });
  });

  it('refuses a field sent twice', () => {
    expect(refusal(() => parseRowForm({ 'f:Message': ['a', 'b'] }, schema, admin, 'update')).fieldErrors).toEqual({
      Message: 'Message was sent more than once.',
    });
  });

  it('requires the key on create and refuses it on update', () => {
    expect(parseRowForm({ 'f:key': 'New row', 'f:Message': 'x' }, schema, admin, 'create').values).toEqual({
      key: 'New row',
      Message: 'x',
    });
    expect(refusal(() => parseRowForm({ 'f:Message': 'x' }, schema, admin, 'create')).fieldErrors).toEqual({
      key: 'The key is required.',
    });
    expect(
      refusal(() => parseRowForm({ 'f:key': 'Other', 'f:Message': 'x' }, schema, admin, 'update')).fieldErrors,
    ).toEqual({ key: 'The key cannot be changed.' });
  });

  it('refuses a new key that Genesys could not address or a flow could not match', () => {
    for (const key of ['', '.', '..', ' padded', 'tab\there']) {
      expect(
        refusal(() => parseRowForm({ 'f:key': key }, schema, admin, 'create')).fieldErrors.key,
        JSON.stringify(key),
      ).toBeTruthy();
    }
  });

  it('keeps the baseline only for columns the form also changes, and ignores a blank or long reason sensibly', () => {
    const parsed = parseRowForm(
      { 'f:Message': 'x', 'o:Message': 'old', 'o:Priority': '2', reason: '   ' },
      schema,
      admin,
      'update',
    );
    expect(parsed.baseline).toEqual({ Message: 'old' });
    expect(parsed.reason).toBeNull();
    expect(parseRowForm({ 'f:Message': 'x', reason: 'r'.repeat(600) }, schema, admin, 'update').reason).toHaveLength(
      500,
    );
  });
});

describe('a refused row form shown again', () => {
  it('shows what was typed for visible columns (ticked boxes as true), and the stored values elsewhere', () => {
    const body = { 'f:name': 'typed', 'b:on': '1', 'f:on': 'on', 'b:off': '1', 'f:secret': 'not shown' };
    expect(typedValues(body, ['name', 'on', 'off', 'n'], { name: 'old', on: false, off: true, n: 3 })).toEqual({
      name: 'typed',
      on: true,
      off: false,
      n: 3,
    });
  });

  it("keeps the values the form started from, so a later save still detects others' changes", () => {
    expect(baselineOf({ 'o:name': 'before', 'f:name': 'typed', other: 'x' }, { name: 'now', n: 1 })).toEqual({
      name: 'before',
      n: 1,
    });
  });
});
