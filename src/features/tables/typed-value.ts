// The one parser for values typed as text into a typed column: the row form, the grid (same route), bulk
// "Set a column", and anything else that turns text into a row value. Strict on purpose: a value this
// parser does not recognise is refused with the column named, never guessed (it used to be: any text but
// "true"/"on" became false, so a bulk "Yes" wrote false into every selected row).
import type { FieldSchema, RowValue } from '../../genesys/gateway.js';

export type TypedValue = { value: RowValue; error?: undefined } | { value?: undefined; error: string };

const TRUE_WORDS = new Set(['yes', 'true', '1', 'on']);
const FALSE_WORDS = new Set(['no', 'false', '0', 'off']);

/** yes/no, true/false, 1/0 (and a checkbox's on/off), in any case, with blanks around; otherwise null. */
export function parseBooleanText(text: string): boolean | null {
  const word = text.trim().toLowerCase();
  return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : null;
}

const INTEGER = /^[-+]?\d+$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Text for a column of the given type, as the JSON value Genesys expects, or why it cannot be. */
export function parseTypedValue(raw: string, prop: Pick<FieldSchema, 'type'>, label: string): TypedValue {
  if (prop.type === 'string') return { value: raw };
  const text = raw.trim();
  if (prop.type === 'boolean') {
    const value = parseBooleanText(text);
    return value === null
      ? { error: `${label} must be yes or no (or true/false, 1/0); “${text}” is neither.` }
      : { value };
  }
  if (text === '') return { error: `${label} needs a value.` };
  if (prop.type === 'integer') {
    if (!INTEGER.test(text)) return { error: `${label} must be a whole number, like 42.` };
    const value = Number(text);
    return Number.isSafeInteger(value) ? { value } : { error: `${label} is too large.` };
  }
  if (!NUMBER.test(text)) return { error: `${label} must be a number, like 4.5.` };
  const value = Number(text);
  return Number.isFinite(value) ? { value } : { error: `${label} is too large.` };
}
