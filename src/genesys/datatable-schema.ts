// The shapes of Genesys Cloud data-table schemas and rows (genesys-datatables.md §4.2-4.3), shared by the
// gateway and the emulator that imitates Genesys.

export type FieldType = 'boolean' | 'integer' | 'number' | 'string';
export const FIELD_TYPES: readonly FieldType[] = ['boolean', 'integer', 'number', 'string'];

export interface FieldSchema {
  type: FieldType;
  title?: string;
  $id?: string;
  displayOrder?: number;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  [extra: string]: unknown;
}

export interface TableSchema {
  $schema?: string;
  type?: string;
  title?: string;
  description?: string;
  required: string[];
  properties: Record<string, FieldSchema>;
  additionalProperties: false;
  [extra: string]: unknown;
}

export type RowValue = string | number | boolean;
export type Row = Record<string, RowValue>;

/**
 * ASSUMPTION (docs/adr/008-compare-values-by-meaning.md): Genesys may trim trailing whitespace from string values on write. Comparisons
 * therefore ignore it, so a value written as "Closed " and stored as "Closed" counts as written. Keys are
 * compared exactly: they name the row and are never assumed to be rewritten.
 */
export const GENESYS_TRIMS_TRAILING_WHITESPACE = true;

const asNumber = (v: unknown): number | null => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
};
const asBoolean = (v: unknown): boolean | null =>
  typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : null;

/**
 * Whether two values of one column mean the same to Genesys: numbers by value (1 = 1.0, also when one side is
 * the text a CSV carries), booleans by truth, strings without trailing whitespace (see the assumption above;
 * `exact` for keys). The column type decides when given; otherwise the values' own types do.
 */
export function sameValue(a: unknown, b: unknown, type?: FieldType, exact = false): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  const kind =
    type ??
    (typeof a === 'number' || typeof b === 'number'
      ? 'number'
      : typeof a === 'boolean' || typeof b === 'boolean'
        ? 'boolean'
        : 'string');
  if (kind === 'number' || kind === 'integer') {
    const [x, y] = [asNumber(a), asNumber(b)];
    return x !== null && x === y;
  }
  if (kind === 'boolean') {
    const [x, y] = [asBoolean(a), asBoolean(b)];
    return x !== null && x === y;
  }
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  return !exact && GENESYS_TRIMS_TRAILING_WHITESPACE && a.trimEnd() === b.trimEnd();
}

/** Column `c` of two rows means the same (the key compared exactly). */
export const sameIn = (
  c: string,
  a: Row | null | undefined,
  b: Row | null | undefined,
  schema?: TableSchema,
): boolean => sameValue(a?.[c], b?.[c], schema?.properties[c]?.type, c === 'key');

/** The row exists and holds every value of `wanted` by meaning (other columns may differ). */
export function rowHolds(row: Row | null | undefined, wanted: Row | null | undefined, schema?: TableSchema): boolean {
  return row != null && wanted != null && Object.keys(wanted).every((c) => sameIn(c, row, wanted, schema));
}
