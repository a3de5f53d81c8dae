// How the change engine applies column formats: the one place every written value passes (form, grid, bulk,
// paste, undo, restore, import, change requests, playbooks all build ChangeSets). Two steps, both pure:
//  1. before a change is compared with its row, every value it writes into a formatted column is put in its
//     canonical form (2026-1-5 → 2026-01-05), so a value typed differently but meaning the same is "unchanged";
//  2. once the engine knows what a change really writes (the row read, columns compared by meaning), every
//     formatted column whose value changes is checked; one that breaks its format refuses the change (nothing is
//     sent) with a ValidationError whose fieldErrors are keyed by column, for the form field or grid cell.
// Values a change leaves as they are (existing rows that broke a format set later) are never refused: a row
// with one bad value can still have its other columns edited, and is listed on the formats page instead.
import { sameIn } from '../../genesys/datatable-schema.js';
import type { Row, RowValue, TableSchema } from '../../genesys/gateway.js';
import { ValidationError } from '../../lib/errors.js';
import type { RowChange } from '../changes/row-change.js';
import { checkFormat } from './format-check.js';
import { formatApplies } from './format-spec.js';
import type { ColumnFormatSpec, FormatCheck, TableFormats } from './format-types.js';

/** What the engine knows of one table's formats while it applies a set. */
export interface FormatRules {
  formats: TableFormats;
  schema: TableSchema;
  /** Columns the actor may see: a refusal never names another one. */
  visible: readonly string[];
}

/** The format that governs `column`, if any applies to its Genesys type. */
function specOf(rules: FormatRules, column: string): ColumnFormatSpec | null {
  const spec = rules.formats.get(column);
  const type = rules.schema.properties[column]?.type;
  return spec && type && formatApplies(spec, type) ? spec : null;
}

const labelOf = (rules: FormatRules, column: string) => rules.schema.properties[column]?.title || column;

/** One value checked against its column's format; a number column keeps its number (its text is checked). */
export function checkValue(rules: FormatRules, column: string, value: RowValue): FormatCheck | null {
  const spec = specOf(rules, column);
  if (!spec) return null;
  return checkFormat(spec, String(value), labelOf(rules, column), { required: column === 'key' });
}

function canonicalRow(rules: FormatRules, row: Row, keepKey: boolean): Row {
  const out: Row = { ...row };
  for (const column of Object.keys(row)) {
    if (keepKey && column === 'key') continue;
    const value = row[column]!;
    const checked = checkValue(rules, column, value);
    if (checked?.ok && typeof value === 'string') out[column] = checked.value;
  }
  return out;
}

/**
 * The change with every value it writes in canonical form (values that break their format are left as typed,
 * for step 2 to refuse if they are written). The key is a row's identity: it is made canonical only for a
 * plain create (a new row); a create that may replace a row (restore) and updates keep the key they name.
 */
export function canonicalChange(c: RowChange, rules: FormatRules | undefined): RowChange {
  if (!rules || rules.formats.size === 0 || c.kind === 'delete') return c;
  const newRow = c.kind === 'create' && !c.ifExists;
  const write = canonicalRow(rules, c.write, !newRow);
  const key = newRow && typeof write.key === 'string' ? write.key : c.key;
  return { ...c, key, write } as RowChange;
}

/**
 * The refusal of a write that would put a value breaking its format into a column (null: none does). Only the
 * columns whose value changes (`before` null: a new row, every column) are checked.
 */
export function formatRefusal(rules: FormatRules | undefined, before: Row | null, after: Row): ValidationError | null {
  if (!rules || rules.formats.size === 0) return null;
  const fieldErrors: Record<string, string> = {};
  for (const column of Object.keys(after)) {
    if (before && sameIn(column, before, after, rules.schema)) continue;
    const checked = checkValue(rules, column, after[column]!);
    if (!checked || checked.ok) continue;
    if (rules.visible.includes(column)) fieldErrors[column] = checked.message;
    else fieldErrors._form ??= 'A column you cannot see would get a value that breaks its format.';
  }
  const messages = Object.values(fieldErrors);
  return messages.length ? new ValidationError(messages.join(' '), fieldErrors) : null;
}
