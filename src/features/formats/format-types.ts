// The app-level formats an administrator can give a Genesys string (or number) column. Genesys knows only
// string, integer, number and boolean, so a "date" column there accepts "2026-13-45"; a format is checked by
// the app wherever a value enters (row form, grid, paste, bulk, restore, import, change requests) with one
// validator (format-check.ts), and the value is stored in Genesys as canonical text (dates YYYY-MM-DD, times
// HH:MM). Kept per org/table/column in the ColumnFormat table; never a right, never a Genesys setting.

export const FORMAT_KINDS = [
  'date',
  'time',
  'datetime',
  'timerange',
  'list',
  'pattern',
  'range',
  'phone',
  'email',
] as const;
export type FormatKind = (typeof FORMAT_KINDS)[number];

/** One column's format with its options (JSON in ColumnFormat.options). */
export type ColumnFormatSpec =
  | { kind: 'date' | 'time' | 'datetime' | 'timerange' | 'phone' | 'email' }
  | { kind: 'list'; values: string[] }
  | { kind: 'pattern'; pattern: string; message: string }
  | { kind: 'range'; min: number | null; max: number | null };

/** A table's formats by column name (columns without a format are absent). */
export type TableFormats = ReadonlyMap<string, ColumnFormatSpec>;

/**
 * The outcome of checking one value: its canonical text (what is stored in Genesys), or the message shown for
 * that mistake, the same wherever the value was entered. `label` (the column's title) starts the message.
 */
export type FormatCheck = { ok: true; value: string } | { ok: false; message: string };
