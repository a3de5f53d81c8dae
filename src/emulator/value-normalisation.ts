// The value-normalisation knob (UNCONFIRMED upstream): Genesys may store a value in a form other than the one
// written. With `normaliseValues` on, string fields (not the key) lose trailing whitespace on write, and number
// fields come back with a decimal point (`1.0`, as a Java double serialises) in JSON bodies and CSV exports.
// It exists to prove the product compares values by meaning (1 = 1.0), not by their bytes.
import { randomBytes } from 'node:crypto';
import type { Row, TableSchema } from './schema-rules.js';

// JSON.stringify cannot write `1.0`: number fields are swapped for a marker string that toJson() unwraps.
// The marker starts with a NUL and a per-process nonce, so no stored string can be mistaken for it.
const NONCE = randomBytes(6).toString('hex');
const MARKER = `\u0000decimal-${NONCE}:`;
/** The marker as JSON.stringify escapes it (`\u0000`), quoted. */
const MARKED = new RegExp(`"\\\\u0000decimal-${NONCE}:([^"]*)"`, 'g');

/** `1` -> `1.0`; non-whole numbers as JavaScript writes them. */
export const decimalText = (n: number): string =>
  Number.isInteger(n) && Math.abs(n) < 1e21 ? n.toFixed(1) : String(n);

export function trimOnWrite(row: Row, schema: TableSchema): Row {
  for (const [name, value] of Object.entries(row)) {
    if (name !== 'key' && typeof value === 'string' && schema.properties[name]?.type === 'string')
      row[name] = value.trimEnd();
  }
  return row;
}

/** The row as the API answers it: number fields marked for toJson() when normalising. */
export function presentRow(row: Row, schema: TableSchema, normalise: boolean): Record<string, unknown> {
  if (!normalise) return row;
  const out: Record<string, unknown> = { ...row };
  for (const [name, value] of Object.entries(row)) {
    if (typeof value === 'number' && schema.properties[name]?.type === 'number')
      out[name] = `${MARKER}${decimalText(value)}`;
  }
  return out;
}

/** JSON text of a response body, with marked numbers written as number literals. */
export function toJson(body: unknown): string {
  return JSON.stringify(body).replace(MARKED, '$1');
}
