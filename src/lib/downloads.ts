// Safe downloads: Content-Disposition per RFC 6266 with an ASCII fallback and a UTF-8 filename*, so a table
// name can never inject a header; and two kinds of CSV: one that spreadsheets open as text, not formulas,
// and one with every value exactly as it is, for re-import into Genesys and for tools.
import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { ValidationError } from './errors.js';

export function attachment(res: Response, filename: string, contentType: string): void {
  const ascii = filename
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\;]/g, '_')
    .slice(0, 150);
  res.set('Content-Type', contentType);
  res.set('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`);
}

/** A file a service made for download: routes only send it (see sendDownload). */
export interface Download {
  name: string;
  contentType: string;
  body: string;
}

export function sendDownload(res: Response, file: Download): void {
  attachment(res, file.name, file.contentType);
  res.send(file.body);
}

/**
 * A text cell a spreadsheet could run as a formula or a DDE command: one starting with = + - @ (or their
 * full-width forms, which Excel also accepts), also after leading whitespace, line breaks or NUL (spreadsheets
 * skip those before deciding), and one starting with tab, CR, LF or NUL itself.
 */
const FORMULA_LIKE = /^(?:[\t\r\n\0]|[\s\0]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;

export function looksLikeFormula(value: string): boolean {
  return FORMULA_LIKE.test(value);
}

const RFC_4180 = {
  quoted_match: /[",\r\n]/,
  record_delimiter: '\r\n',
  cast: { boolean: (b: boolean) => (b ? 'true' : 'false') },
} as const;

/**
 * For spreadsheets: RFC 4180 CSV, UTF-8 with a BOM (Excel then reads the encoding right), and every
 * formula-like text cell prefixed with a single quote, which spreadsheets show as text. Values that start
 * with one of those characters therefore differ from Genesys' by that quote: not for re-import.
 */
export function spreadsheetCsv(header: string[], rows: unknown[][]): string {
  const guard = (v: unknown) => (typeof v === 'string' && looksLikeFormula(v) ? `'${v}` : v);
  return stringify([header.map(guard), ...rows.map((r) => r.map(guard))], { ...RFC_4180, bom: true });
}

/** Exact: RFC 4180 CSV, UTF-8 without a BOM, every value as Genesys holds it (for re-import and tools). */
export function exactCsv(header: string[], rows: unknown[][]): string {
  return stringify([header, ...rows], RFC_4180);
}

export type CsvKind = 'spreadsheet' | 'exact';

/** The two CSV exports, each named in its file name so a file says which it is. */
export const CSV_KINDS: Record<CsvKind, { fileTag: string; write: (header: string[], rows: unknown[][]) => string }> = {
  spreadsheet: { fileTag: '(for spreadsheets)', write: spreadsheetCsv },
  exact: { fileTag: '(exact)', write: exactCsv },
};

/** The `for` parameter of a CSV export; absent = for spreadsheets (the safe choice for a file a person opens). */
export function csvKindOf(value: unknown): CsvKind {
  if (value === undefined || value === 'spreadsheet') return 'spreadsheet';
  if (value === 'exact') return 'exact';
  throw new ValidationError(
    'Unknown CSV export: use for=spreadsheet (formula-safe, for Excel and the like) or for=exact (values as they are, for re-import and tools).',
    { for: 'Choose spreadsheet or exact.' },
  );
}
