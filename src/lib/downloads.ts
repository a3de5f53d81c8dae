// Safe downloads: Content-Disposition per RFC 6266 with an ASCII fallback and a UTF-8 filename*, so a table
// name can never inject a header; and CSV that spreadsheets open as text, not formulas.
import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';

export function attachment(res: Response, filename: string, contentType: string): void {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\;]/g, '_').slice(0, 150);
  res.set('Content-Type', contentType);
  res.set('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`);
}

/**
 * RFC 4180 CSV, UTF-8 with a BOM (Excel then reads the encoding right), and every cell that a spreadsheet
 * would run as a formula (= + - @ tab CR, and NUL) prefixed with a single quote.
 */
export function spreadsheetCsv(header: string[], rows: unknown[][]): string {
  const guard = (v: unknown) => (typeof v === 'string' && v.startsWith('\0') ? `'${v}` : v);
  return stringify([header, ...rows.map((r) => r.map(guard))], { bom: true, escape_formulas: true, quoted_match: /[",\r\n]/, record_delimiter: '\r\n', cast: { boolean: (b) => (b ? 'true' : 'false') } });
}
