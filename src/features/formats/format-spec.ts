// A format as an administrator gives it (the formats page's form, or a service call) and as it is stored: checked
// once when saved (the options make sense, a pattern is safe to run, the format fits the column's Genesys type),
// read back fail-closed (a stored format that no longer reads is refused on save, never silently dropped).
import type { FieldType } from '../../genesys/gateway.js';
import { ValidationError } from '../../lib/errors.js';
import { patternProblem } from './format-check.js';
import { FORMAT_KINDS, type ColumnFormatSpec, type FormatKind } from './format-types.js';

export const MAX_LIST_VALUES = 200;
const MAX_OPTION_LENGTH = 200;

export const KIND_NAMES: Record<FormatKind, string> = {
  date: 'Date',
  time: 'Time',
  datetime: 'Date and time',
  timerange: 'Time range',
  list: 'List of allowed values',
  pattern: 'Pattern',
  range: 'Number range',
  phone: 'Phone number (E.164)',
  email: 'E-mail address',
};

const isKind = (k: unknown): k is FormatKind =>
  typeof k === 'string' && (FORMAT_KINDS as readonly string[]).includes(k);
const numeric = (t: FieldType) => t === 'integer' || t === 'number';

/**
 * Whether a format may be given to a column of Genesys type `type` (null: it may), and why not. Text columns
 * take every format. A number column holds numbers, so only a number range, or a list of numbers (whole
 * numbers for an integer column), describes it; a yes/no column has nothing a format could add.
 */
export function formatMisfit(spec: ColumnFormatSpec, type: FieldType, label: string): string | null {
  if (type === 'string') return null;
  if (type === 'boolean') return `${label} is a yes/no column: it takes no format.`;
  if (spec.kind === 'range') return null;
  if (spec.kind === 'list') {
    const bad = spec.values.find(
      (v) => !/^[-+]?(\d+\.?\d*|\.\d+)$/.test(v) || (type === 'integer' && !/^[-+]?\d+$/.test(v)),
    );
    return bad === undefined
      ? null
      : `${label} holds ${type === 'integer' ? 'whole numbers' : 'numbers'}: “${bad}” cannot be one of its values.`;
  }
  return `${label} is a ${type === 'integer' ? 'whole-number' : 'number'} column: a ${KIND_NAMES[spec.kind].toLowerCase()} format needs a text column. Only a number range or a list of numbers fits it.`;
}

/** Whether the engine applies `spec` to a column of this type (a format that no longer fits is left unapplied). */
export const formatApplies = (spec: ColumnFormatSpec, type: FieldType): boolean =>
  type === 'string' || (numeric(type) && formatMisfit(spec, type, '') === null);

const fail = (field: string, message: string): never => {
  throw new ValidationError('The format was not saved.', { [field]: message });
};

/** A spec with its options checked and tidied (values trimmed, duplicates refused), or a ValidationError. */
export function checkedSpec(spec: ColumnFormatSpec): ColumnFormatSpec {
  if (!isKind(spec.kind)) return fail('kind', `“${String(spec.kind)}” is not a format.`);
  switch (spec.kind) {
    case 'list': {
      const values = (Array.isArray(spec.values) ? spec.values : []).map((v) => String(v).trim()).filter(Boolean);
      if (values.length === 0) return fail('values', 'Give at least one allowed value, one a line.');
      if (values.length > MAX_LIST_VALUES) return fail('values', `Give at most ${MAX_LIST_VALUES} values.`);
      const long = values.find((v) => [...v].length > MAX_OPTION_LENGTH);
      if (long) return fail('values', `A value may be at most ${MAX_OPTION_LENGTH} characters.`);
      const seen = new Set<string>();
      for (const v of values) {
        const folded = v.toLocaleLowerCase('en');
        // Values differing only in case would make a typed value ambiguous (it is matched ignoring case).
        if (seen.has(folded)) return fail('values', `“${v}” is in the list twice (ignoring case).`);
        seen.add(folded);
      }
      return { kind: 'list', values };
    }
    case 'pattern': {
      const pattern = typeof spec.pattern === 'string' ? spec.pattern : '';
      const message = typeof spec.message === 'string' ? spec.message.trim() : '';
      if (!pattern) return fail('pattern', 'Give the regular expression a value must match.');
      const problem = patternProblem(pattern);
      if (problem) return fail('pattern', problem);
      if (!message)
        return fail('message', 'Say in words what a value must look like (shown to people who get it wrong).');
      if ([...message].length > MAX_OPTION_LENGTH)
        return fail('message', `The message may be at most ${MAX_OPTION_LENGTH} characters.`);
      return { kind: 'pattern', pattern, message };
    }
    case 'range': {
      const min = spec.min ?? null;
      const max = spec.max ?? null;
      if (min !== null && !Number.isFinite(min)) return fail('min', 'The lowest value must be a number.');
      if (max !== null && !Number.isFinite(max)) return fail('max', 'The highest value must be a number.');
      if (min === null && max === null) return fail('min', 'Give a lowest value, a highest value, or both.');
      if (min !== null && max !== null && min > max)
        return fail('max', `The highest value (${max}) is below the lowest (${min}).`);
      return { kind: 'range', min, max };
    }
    default:
      return { kind: spec.kind };
  }
}

/** A stored format (ColumnFormat's kind and options JSON) as a spec; null when it no longer reads as one. */
export function storedSpec(kind: string, options: string): ColumnFormatSpec | null {
  if (!isKind(kind)) return null;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(options) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null) return null;
  try {
    return checkedSpec({ kind, ...o } as ColumnFormatSpec);
  } catch {
    return null;
  }
}

/** The options stored beside the kind. */
export function optionsOf(spec: ColumnFormatSpec): Record<string, unknown> {
  const { kind: _kind, ...options } = spec;
  return options;
}

const numberField = (raw: unknown, field: string, what: string): number | null => {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') return null;
  const n = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
  return Number.isFinite(n) ? n : fail(field, `${what} must be a number; “${text.slice(0, 40)}” is not.`);
};

/**
 * The formats page's form for one column: `kind` ('' for no format), `values` (one a line), `pattern`,
 * `message`, `min`, `max`. null: remove the column's format.
 */
export function parseFormatForm(body: unknown): ColumnFormatSpec | null {
  const b = (body ?? {}) as Record<string, unknown>;
  const text = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '');
  const kind = text('kind');
  if (kind === '') return null;
  if (!isKind(kind)) return fail('kind', `“${kind.slice(0, 40)}” is not a format: choose one from the list.`);
  if (kind === 'list') return checkedSpec({ kind, values: text('values').split(/\r?\n/) });
  if (kind === 'pattern') return checkedSpec({ kind, pattern: text('pattern'), message: text('message') });
  if (kind === 'range')
    return checkedSpec({
      kind,
      min: numberField(b.min, 'min', 'The lowest value'),
      max: numberField(b.max, 'max', 'The highest value'),
    });
  return { kind };
}
