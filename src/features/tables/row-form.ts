// Row forms: which columns a submitted form touches, and their values typed by the live Genesys schema
// (a zod schema built per table). Field names: `f:<column>` for values, `b:<column>` marks a boolean
// checkbox that was on the form (an unticked box sends nothing).
import { z } from 'zod';
import type { FieldSchema, Row, RowValue, TableSchema } from '../../genesys/gateway.js';
import { ValidationError } from '../../lib/errors.js';
import type { TableAccess } from '../permissions/access.js';
import { CONFIRM_KEY_FIELD, newKeyProblem } from './key-rules.js';
import { parseBooleanText, parseTypedValue, type TypedValue } from './typed-value.js';

export const VALUE_PREFIX = 'f:';
export const BOOLEAN_MARKER_PREFIX = 'b:';
/** `o:<column>`: the value the user started from (conflict detection). */
export const BASELINE_PREFIX = 'o:';
const ALWAYS_ALLOWED = new Set(['_csrf', 'reason', CONFIRM_KEY_FIELD]);

function fieldValidator(name: string, prop: FieldSchema): z.ZodType<RowValue> {
  const label = prop.title || name;
  switch (prop.type) {
    case 'boolean':
      return z.boolean();
    case 'integer': {
      let n = z
        .number({ error: `${label} must be a whole number.` })
        .int(`${label} must be a whole number.`)
        .refine(Number.isSafeInteger, `${label} is too large.`);
      if (prop.minimum !== undefined) n = n.min(prop.minimum, `${label} must be at least ${prop.minimum}.`);
      if (prop.maximum !== undefined) n = n.max(prop.maximum, `${label} must be at most ${prop.maximum}.`);
      return n;
    }
    case 'number': {
      let n = z
        .number({ error: `${label} must be a number.` })
        .refine(Number.isFinite, `${label} must be a finite number.`);
      if (prop.minimum !== undefined)
        n = n.refine((v) => v >= prop.minimum!, `${label} must be at least ${prop.minimum}.`);
      if (prop.maximum !== undefined)
        n = n.refine((v) => v <= prop.maximum!, `${label} must be at most ${prop.maximum}.`);
      return n;
    }
    default: {
      let s = z.string();
      if (prop.maxLength !== undefined)
        s = s.refine((v) => [...v].length <= prop.maxLength!, `${label} may be at most ${prop.maxLength} characters.`);
      if (prop.minLength !== undefined)
        s = s.refine(
          (v) => [...v].length >= prop.minLength!,
          `${label} must be at least ${prop.minLength} characters.`,
        );
      return s;
    }
  }
}

/** Converts the text a form sent into the column's JSON type (typed-value.ts), or returns an explanation. */
function coerce(raw: unknown, prop: FieldSchema, label: string): TypedValue {
  if (prop.type === 'boolean' && raw === undefined) return { value: false }; // an unticked box sends nothing
  if (typeof raw !== 'string') return { error: `${label} was sent more than once.` };
  return parseTypedValue(raw, prop, label);
}

export interface ParsedRowForm {
  /** Column -> new value, for the columns the form submitted. */
  values: Row;
  /** Column -> the value shown when the user opened the form (only where the form carried it). */
  baseline: Row;
  reason: string | null;
}

/**
 * Parses a row form against the live schema and the user's rights. Unknown and hidden fields are a 400; a
 * field the user may see but not write is refused with a 403 by the table service (never silently dropped).
 */
export function parseRowForm(
  body: unknown,
  schema: TableSchema,
  access: TableAccess,
  mode: 'create' | 'update',
): ParsedRowForm {
  const b = (body ?? {}) as Record<string, unknown>;
  // A column hidden from the user gets the same answer as one that does not exist: a different answer
  // would let anyone probe for hidden column names.
  const known = (column: string) =>
    Object.hasOwn(schema.properties, column) &&
    Object.hasOwn(access.columns, column) &&
    access.columns[column] !== 'hidden';
  const unknown = (column: string) =>
    new ValidationError(`“${column}” is not a column of this table.`, {
      _form: `“${column}” is not a column of this table.`,
    });
  const submitted = new Set<string>();
  const baselineColumns = new Set<string>();
  for (const key of Object.keys(b)) {
    if (ALWAYS_ALLOWED.has(key)) continue;
    if (key.startsWith(BASELINE_PREFIX)) {
      const column = key.slice(BASELINE_PREFIX.length);
      if (!known(column)) throw unknown(column);
      baselineColumns.add(column);
      continue;
    }
    const prefix = key.startsWith(VALUE_PREFIX)
      ? VALUE_PREFIX
      : key.startsWith(BOOLEAN_MARKER_PREFIX)
        ? BOOLEAN_MARKER_PREFIX
        : null;
    if (!prefix)
      throw new ValidationError(`Unexpected form field “${key}”.`, { _form: `Unexpected form field “${key}”.` });
    const column = key.slice(prefix.length);
    if (!known(column)) throw unknown(column);
    submitted.add(column);
  }
  // (The write right on each column is checked by the table service, for every path that writes a row.)
  if (mode === 'update' && submitted.has('key'))
    throw new ValidationError(
      'The key of a row cannot be changed. Delete the row and add it again under the new key.',
      { key: 'The key cannot be changed.' },
    );
  if (mode === 'create' && !submitted.has('key'))
    throw new ValidationError('The key is required.', { key: 'The key is required.' });

  const fieldErrors: Record<string, string> = {};
  const values: Row = {};
  const shape: Record<string, z.ZodType<RowValue>> = {};
  const raw: Record<string, unknown> = {};
  for (const column of submitted) {
    const prop = schema.properties[column]!;
    const label = prop.title || column;
    const { value, error } = coerce(b[`${VALUE_PREFIX}${column}`], prop, label);
    const problem = error ?? (column === 'key' && typeof value === 'string' ? newKeyProblem(value) : null);
    if (problem) fieldErrors[column] = problem;
    else {
      shape[column] = fieldValidator(column, prop);
      raw[column] = value;
    }
  }
  const result = z.object(shape).strict().safeParse(raw);
  if (!result.success) for (const issue of result.error.issues) fieldErrors[String(issue.path[0])] ??= issue.message;
  else Object.assign(values, result.data);
  if (Object.keys(fieldErrors).length) throw new ValidationError('Please correct the highlighted fields.', fieldErrors);
  const baseline: Row = {};
  for (const column of baselineColumns) {
    if (!submitted.has(column)) continue;
    const { value } = coerce(b[`${BASELINE_PREFIX}${column}`], schema.properties[column]!, column);
    if (value !== undefined) baseline[column] = value as Row[string];
  }
  const reason = typeof b.reason === 'string' && b.reason.trim() ? b.reason.trim().slice(0, 500) : null;
  return { values, baseline, reason };
}

/** What the user typed, to show again after an error (visible columns only). */
export function typedValues(body: unknown, columns: string[], fallback: Row): Row {
  const b = (body ?? {}) as Record<string, unknown>;
  const out: Row = { ...fallback };
  for (const c of columns) {
    const typed = b[`${VALUE_PREFIX}${c}`];
    if (b[`${BOOLEAN_MARKER_PREFIX}${c}`] !== undefined)
      out[c] = typeof typed === 'string' && parseBooleanText(typed) === true;
    else if (typeof typed === 'string') out[c] = typed;
  }
  return out;
}

/** The values the form started from, carried through an error so conflict detection still works. */
export function baselineOf(body: unknown, fallback: Row): Row {
  const b = (body ?? {}) as Record<string, unknown>;
  const out: Row = { ...fallback };
  for (const [k, v] of Object.entries(b))
    if (k.startsWith(BASELINE_PREFIX) && typeof v === 'string') out[k.slice(BASELINE_PREFIX.length)] = v;
  return out;
}
