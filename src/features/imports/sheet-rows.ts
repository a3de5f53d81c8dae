// The rows read from a CSV or a sheet (header first) → a ParsedSheet, with the problems of the file itself:
// header-only and duplicate headers refused, rows of the wrong width and formula-like text reported by line,
// more rows than a table holds reported with the count.
import type { ImportProblem, ParsedSheet } from './import-types.js';
import { ImportFileError, MAX_PROBLEMS_PER_KIND, MAX_RECORDS_KEPT, MAX_TABLE_ROWS, count } from './import-limits.js';

/**
 * Text a spreadsheet would run as a formula: `=` first (after blanks), or `+ - @` followed somewhere by a
 * function call, a sheet reference (`!`) or a DDE pipe. `-5`, `+41 44 668 18 00` and `@home` are data, and are
 * not reported: numbers and phone numbers start with those signs. Such text is never evaluated here; it is
 * reported because a sheet saved with formulas, not values, would otherwise import the formulas' text.
 */
const FORMULA_TEXT = /^[\s\0]*(?:[=\uFF1D]|[+\-@\uFF0B\uFF0D\uFF20].*(?:[A-Za-z_][\w.]*\(|[!|]))/su;

export const looksLikeFormulaText = (cell: string) => FORMULA_TEXT.test(cell);

const quoteCell = (cell: string) => `“${cell.length > 40 ? `${cell.slice(0, 40)}…` : cell}”`;

/** Caps the problems of one kind (the rest counted in one line), so a page never lists thousands. */
export function capProblems(problems: ImportProblem[]): ImportProblem[] {
  const seen = new Map<string, number>();
  const out: ImportProblem[] = [];
  for (const p of problems) {
    const n = (seen.get(p.kind) ?? 0) + 1;
    seen.set(p.kind, n);
    if (n <= MAX_PROBLEMS_PER_KIND) out.push(p);
  }
  for (const [kind, n] of seen)
    if (n > MAX_PROBLEMS_PER_KIND)
      out.push({
        kind: kind as ImportProblem['kind'],
        message: `…and ${count(n - MAX_PROBLEMS_PER_KIND)} more like these.`,
      });
  return out;
}

export function sheetFromRows(
  source: Omit<ParsedSheet, 'header' | 'records' | 'problems'>,
  rows: { line: number; cells: string[] }[],
  dataRows: number,
  fileProblems: ImportProblem[],
): ParsedSheet {
  const [first, ...data] = rows;
  if (!first) throw new ImportFileError('The file is empty: there is nothing to import.');
  const header = first.cells.map((h, i) => h.trim() || `(column ${i + 1})`);
  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    const earlier = seen.get(h.toLowerCase());
    if (earlier !== undefined)
      throw new ImportFileError(
        `The header names “${h}” twice (columns ${earlier + 1} and ${i + 1}), so the columns cannot be told apart. Rename one and upload again.`,
      );
    seen.set(h.toLowerCase(), i);
  });
  if (data.length === 0)
    throw new ImportFileError(
      `The file has only a header line (${header.slice(0, 5).join(', ')}${header.length > 5 ? ', …' : ''}) and no rows to import.`,
    );
  const problems = [...fileProblems];
  for (const { line, cells } of data) {
    if (cells.length !== header.length)
      problems.push({
        kind: 'file',
        line,
        message: `Line ${line} has ${cells.length} ${cells.length === 1 ? 'value' : 'values'}; the header has ${header.length}. A delimiter or a quote is probably missing or extra on this line.`,
      });
    cells.forEach((cell, i) => {
      if (i < header.length && looksLikeFormulaText(cell))
        problems.push({
          kind: 'file',
          line,
          column: header[i],
          message: `“${header[i]}” on line ${line} is ${quoteCell(cell)}, which a spreadsheet would run as a formula. It is never calculated here: it would be stored as this text. Put the value itself in the file, or remove the leading sign.`,
        });
    });
  }
  if (dataRows > MAX_TABLE_ROWS)
    problems.push({
      kind: 'row_limit',
      message: `The file has ${count(dataRows)} rows; a data table holds at most ${count(MAX_TABLE_ROWS)}. Split the file, or remove rows.`,
    });
  return { ...source, header, records: data.slice(0, MAX_RECORDS_KEPT), problems: capProblems(problems) };
}
