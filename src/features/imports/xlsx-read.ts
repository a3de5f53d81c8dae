// XLSX → ParsedSheet with ExcelJS (maintained, MIT; the `xlsx` package on npm is no longer updated there), by
// its streaming reader so a sheet is read row by row, after zip-guard.ts has checked the file's bounds.
// Decisions:
// - Formulas are never evaluated, and their cached results are not taken silently: a formula cell is reported
//   as a problem of its row (shown with the result Excel last stored, which tools that write XLSX without
//   calculating leave stale or empty), so that row is not imported until the sheet holds values.
// - Dates come from ExcelJS as JS Dates whose UTC fields are what the cell shows (Excel has no time zones):
//   written as YYYY-MM-DD, YYYY-MM-DD HH:MM(:SS), or HH:MM(:SS) for a time alone.
// - Numbers are written with Excel's 15 significant digits, so 0.1+0.2 reads 0.3 as the sheet showed it.
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ImportProblem, ParsedSheet } from './import-types.js';
import { ImportFileError, MAX_FILE_COLUMNS, MAX_RECORDS_KEPT, count } from './import-limits.js';
import { sheetFromRows } from './sheet-rows.js';
import { guardXlsx } from './zip-guard.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** A date cell as text (UTC fields: ExcelJS reads the sheet's serial as UTC), to the nearest second. */
export function dateText(date: Date): string {
  const d = new Date(Math.round(date.getTime() / 1000) * 1000);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${d.getUTCSeconds() ? `:${pad(d.getUTCSeconds())}` : ''}`;
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (day === '1899-12-30' || day === '1899-12-31') return time; // Excel's day 0: a time without a date
  return d.getUTCHours() || d.getUTCMinutes() || d.getUTCSeconds() ? `${day} ${time}` : day;
}

export const numberText = (n: number) => String(Number.isFinite(n) ? Number(n.toPrecision(15)) : n);

type Value = ExcelJS.CellValue;

function plainText(v: Value): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberText(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return dateText(v);
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('text' in v && 'hyperlink' in v) return typeof v.text === 'string' ? v.text : plainText(v.text as Value);
  return '';
}

/** A cell's text, and the problem it is when it is a formula or an error. */
function cellText(v: Value, where: { line: number; column: string }, problems: ImportProblem[]): string {
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    if ('formula' in v || 'sharedFormula' in v) {
      const result = plainText((v as { result?: Value }).result ?? null);
      const formula = 'formula' in v && v.formula ? `=${v.formula}` : 'a formula';
      problems.push({
        kind: 'file',
        ...where,
        message: `“${where.column}” in row ${where.line} is ${formula} (last result in the file: “${result}”). Formulas are not imported: this app never calculates, and the stored result may be out of date. Replace the formulas with their values (Copy, then Paste Special → Values) and upload again.`,
      });
      return result;
    }
    if ('error' in v) {
      problems.push({
        kind: 'file',
        ...where,
        message: `“${where.column}” in row ${where.line} holds the spreadsheet error ${String(v.error)}. Correct it and upload again.`,
      });
      return '';
    }
  }
  return plainText(v);
}

interface SheetModel {
  sheets?: { name: string }[];
}

const sheetList = (names: string[]) => names.map((n) => `“${n}”`).join(', ');

export async function readXlsx(name: string, bytes: Buffer, opts: { sheet?: string }): Promise<ParsedSheet> {
  guardXlsx(bytes);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]), {
    sharedStrings: 'cache',
    styles: 'cache', // dates are numbers with a date style: without the styles they would read as numbers
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  let names: string[] = [];
  let wanted: string | undefined;
  let found = false;
  const rows: { line: number; cells: string[] }[] = [];
  const problems: ImportProblem[] = [];
  let header: string[] | undefined;
  let dataRows = 0;
  try {
    for await (const sheet of reader) {
      if (!wanted) {
        names = ((reader as unknown as { model?: SheetModel }).model?.sheets ?? []).map((s) => s.name);
        wanted = opts.sheet ?? names[0];
      }
      const ws = sheet as unknown as { name: string } & AsyncIterable<ExcelJS.Row>;
      const chosen: boolean = ws.name === wanted && !found;
      found ||= chosen;
      for await (const row of ws) {
        if (!chosen) continue; // another sheet: its rows are read past, not kept
        if (!header) {
          if (row.cellCount > MAX_FILE_COLUMNS)
            throw new ImportFileError(
              `The sheet’s first row reaches column ${count(row.cellCount)}; an import reads at most ${MAX_FILE_COLUMNS} columns (a data table has at most 50).`,
            );
          const cells = Array.from({ length: row.cellCount }, (_, i) => plainText(row.getCell(i + 1).value));
          if (cells.every((c) => c.trim() === '')) continue;
          header = cells;
          rows.push({ line: row.number, cells });
          continue;
        }
        const width = Math.min(Math.max(header.length, row.cellCount), MAX_FILE_COLUMNS + 1);
        const cells: string[] = [];
        for (let c = 1; c <= width; c++) {
          const column = header[c - 1]?.trim() || `(column ${c})`;
          cells.push(cellText(row.getCell(c).value, { line: row.number, column }, problems));
        }
        while (cells.length > header.length && cells.at(-1) === '') cells.pop();
        if (cells.every((c) => c === '')) continue;
        if (++dataRows <= MAX_RECORDS_KEPT) rows.push({ line: row.number, cells });
      }
    }
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    throw new ImportFileError(
      'The file cannot be read as an Excel workbook (.xlsx): it is damaged or not a workbook. Open it in Excel and save it again.',
    );
  }
  if (!found)
    throw new ImportFileError(
      opts.sheet
        ? `The workbook has no sheet “${opts.sheet}”; its sheets are ${sheetList(names)}.`
        : 'The workbook has no sheet to read.',
    );
  const kept = problems.filter((p) => p.line === undefined || p.line <= (rows.at(-1)?.line ?? 0));
  return sheetFromRows({ fileName: name, format: 'xlsx', sheet: wanted, sheets: names }, rows, dataRows, kept);
}
