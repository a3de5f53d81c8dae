// A range pasted into the grid (copied from Excel or Google Sheets), as the form sends it: the columns it
// covers (`col`, in order), the rows it lands on (`ref`, in order; lines past the last ref are new rows) and
// the clipboard text itself (`tsv`). One field per row and column plus one for the text keeps a 250-row paste
// far below the form-field limit, and a plain <form> (no JavaScript) can send the same three fields.
import { ValidationError } from '../../lib/errors.js';
import { formList } from '../../lib/forms.js';

/** The most cells one paste may carry; larger ranges belong in an import (it has a dry run and a backup). */
export const MAX_PASTE_CELLS = 5000;
/** The most rows one paste may carry (the bulk limit). */
export const MAX_PASTE_ROWS = 5000;

export interface PasteRequest {
  columns: string[];
  refs: string[];
  /** The pasted values, row by row; every row has one value per column. */
  cells: string[][];
}

/**
 * Tab-separated text as Excel and Google Sheets put it on the clipboard: rows end with CRLF or LF (a final line
 * break ends the last row rather than starting an empty one); a cell holding a tab, line break or quote is
 * quoted, with "" for a quote inside. public/js/grid/tsv.js is the browser's copy of this; the same cases
 * test both (tests/unit/tsv.test.ts).
 */
export function parseTsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return rows;
  for (;;) {
    let cell = '';
    if (text[i] === '"') {
      // A quoted cell: up to the quote that is not doubled; anything after it up to the separator is kept too.
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q === -1) {
          cell += text.slice(i);
          i = n;
          break;
        }
        cell += text.slice(i, q);
        if (text[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    }
    while (i < n && text[i] !== '\t' && text[i] !== '\n' && text[i] !== '\r') cell += text[i++];
    row.push(cell);
    if (i >= n) {
      rows.push(row);
      break;
    }
    if (text[i] === '\t') {
      i++;
      continue;
    }
    i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
    rows.push(row);
    row = [];
    if (i >= n) break;
  }
  return rows;
}

const refusal = (message: string) => new ValidationError(message, { tsv: message });

/** The request's fields, checked for shape (rights and values are the bulk service's). */
export function readPasteRequest(body: unknown): PasteRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const columns = formList(b.col);
  const refs = formList(b.ref);
  if (typeof b.tsv !== 'string' || b.tsv === '') throw refusal('Paste at least one cell.');
  if (columns.length === 0) throw refusal('Choose the columns the pasted cells go into.');
  if (new Set(columns).size !== columns.length) throw refusal('The paste names a column twice.');
  const cells = parseTsv(b.tsv);
  if (cells.length > MAX_PASTE_ROWS) throw refusal(`Paste at most ${MAX_PASTE_ROWS} rows at once.`);
  if (cells.length * columns.length > MAX_PASTE_CELLS)
    throw refusal(`Paste at most ${MAX_PASTE_CELLS} cells at once; use Import for more.`);
  if (refs.length > cells.length) throw refusal('The paste has fewer lines than the rows it was pasted onto.');
  if (new Set(refs).size !== refs.length) throw refusal('The paste lands on the same row twice.');
  cells.forEach((line, i) => {
    if (line.length !== columns.length)
      throw refusal(
        `Line ${i + 1} of the paste has ${line.length} cell(s) where ${columns.length} column(s) were chosen.`,
      );
  });
  return { columns, refs, cells };
}
