// CSV → ParsedSheet: the encoding and delimiter found, not asked for (people rarely know which their
// spreadsheet wrote), and every record kept as the text it is. csv-parse does the quoting rules; this file
// decides what the bytes are and what is wrong with the file as a whole.
import { parse } from 'csv-parse/sync';
import type { ImportProblem, ParsedSheet } from './import-types.js';
import { ImportFileError, MAX_CELL_CHARS, MAX_FILE_COLUMNS, MAX_RECORDS_KEPT, count } from './import-limits.js';
import { sheetFromRows } from './sheet-rows.js';

const BOM_PROBLEMS_LISTED = 10;

// Windows-1252's bytes 0x80–0x9F (€, ‘ ’ “ ” – — …); the rest are Latin-1. Node's TextDecoder('windows-1252')
// decodes these as Latin-1 control characters (seen on Node 20: 0x80 gave U+0080, not €), so they are mapped here.
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

export function decodeWindows1252(bytes: Buffer): string {
  const latin1 = bytes.toString('latin1');
  return /[\x80-\x9f]/.test(latin1)
    ? latin1.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!)
    : latin1;
}

/**
 * The text of `bytes`: a byte-order mark decides (UTF-8, UTF-16 LE/BE); without one, bytes that are valid UTF-8
 * are UTF-8 (ASCII included), and anything else is Windows-1252, what Excel on Windows writes as "CSV". A
 * Windows-1252 file that happens to be valid UTF-8 needs two accented bytes in a row forming a UTF-8 sequence,
 * which real text almost never does.
 */
export function decodeText(bytes: Buffer): { text: string; encoding: string } {
  const from = (label: string, skip: number, encoding: string) => {
    try {
      return { text: new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(skip)), encoding };
    } catch {
      throw new ImportFileError(
        `The file starts with the mark of ${encoding} but is not valid ${encoding}. Save it again as CSV UTF-8.`,
      );
    }
  };
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return from('utf-8', 3, 'UTF-8 with BOM');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return from('utf-16le', 2, 'UTF-16 LE');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return from('utf-16be', 2, 'UTF-16 BE');
  if (bytes.subarray(0, 4096).includes(0))
    throw new ImportFileError(
      'The file contains NUL bytes, so it is not a CSV text file (or it is UTF-16 without a byte-order mark). Save it as CSV UTF-8 or as .xlsx.',
    );
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'UTF-8' };
  } catch {
    return { text: decodeWindows1252(bytes), encoding: 'Windows-1252' };
  }
}

export const DELIMITERS = [',', ';', '\t', '|'] as const;
const SAMPLE_RECORDS = 20;
const SAMPLE_CHARS = 64 * 1024;

/**
 * The delimiter of the first records (quotes respected): the candidate the header has and most sample records
 * have as often as the header, then the one the header has most of; comma when there is only one column.
 */
export function detectDelimiter(text: string): string {
  const perRecord: number[][] = [];
  let current = DELIMITERS.map(() => 0);
  let quoted = false;
  for (let i = 0; i < Math.min(text.length, SAMPLE_CHARS) && perRecord.length < SAMPLE_RECORDS; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (ch === '\n') {
      if (current.some((n) => n > 0)) perRecord.push(current);
      current = DELIMITERS.map(() => 0);
    } else {
      const k = (DELIMITERS as readonly string[]).indexOf(ch);
      if (k >= 0) current[k]!++;
    }
  }
  if (current.some((n) => n > 0)) perRecord.push(current);
  const header = perRecord[0];
  if (!header) return ',';
  const score = (k: number) => perRecord.filter((r) => r[k] === header[k]).length;
  const best = DELIMITERS.map((_, k) => k)
    .filter((k) => header[k]! > 0)
    .sort((a, b) => score(b) - score(a) || header[b]! - header[a]!)[0];
  return best === undefined ? ',' : DELIMITERS[best]!;
}

/** Refuses a header wider than the bound before csv-parse builds it (a line of a million commas is 1 MB). */
function assertHeaderWidth(text: string, delimiter: string): void {
  let cells = 1;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (ch === '\n') return;
    else if (ch === delimiter && ++cells > MAX_FILE_COLUMNS)
      throw new ImportFileError(
        `The file’s first line has more than ${MAX_FILE_COLUMNS} columns; an import reads at most ${MAX_FILE_COLUMNS} (a data table has at most 50). Is it really a table with one header line?`,
      );
  }
}

/** Byte-order marks inside the text (two files pasted together, usually): reported by line and removed. */
function removeInnerBoms(text: string): { text: string; problems: ImportProblem[] } {
  if (!text.includes('\uFEFF')) return { text, problems: [] };
  const problems: ImportProblem[] = [];
  let line = 1;
  let found = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') line++;
    else if (text[i] === '\uFEFF' && ++found <= BOM_PROBLEMS_LISTED)
      problems.push({
        kind: 'file',
        line,
        message: `Line ${line} contains a byte-order mark, the invisible character that starts a file: two files were probably joined here. Check that this line is a row and not a second header; the mark itself is ignored.`,
      });
  }
  if (found > BOM_PROBLEMS_LISTED)
    problems.push({
      kind: 'file',
      message: `${count(found - BOM_PROBLEMS_LISTED)} more byte-order marks inside the file.`,
    });
  return { text: text.replaceAll('\uFEFF', ''), problems };
}

const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quote (") is opened and never closed',
  INVALID_OPENING_QUOTE: 'a quote (") appears inside a value that is not itself in quotes',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote (") is followed by more text in the same value',
  CSV_MAX_RECORD_SIZE: `a value is longer than ${count(MAX_CELL_CHARS)} characters`,
};

export function readCsv(name: string, bytes: Buffer): ParsedSheet {
  const decoded = decodeText(bytes);
  const { text, problems } = removeInnerBoms(decoded.text);
  if (text.trim() === '') throw new ImportFileError('The file is empty: there is nothing to import.');
  const delimiter = detectDelimiter(text);
  assertHeaderWidth(text, delimiter);
  let total = 0;
  const rows: { line: number; cells: string[] }[] = [];
  try {
    parse(text, {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      max_record_size: MAX_CELL_CHARS,
      // Kept up to the bound and only counted beyond it: a 10 MB file of short lines is millions of records.
      on_record: (cells, ctx) => {
        if (++total <= MAX_RECORDS_KEPT + 1) {
          const breaks = cells.reduce((n, c) => (c.includes('\n') ? n + c.split('\n').length - 1 : n), 0);
          rows.push({ line: ctx.lines - breaks, cells });
        }
        return null;
      },
    });
  } catch (err) {
    const e = err as { code?: string; lines?: number };
    const why = (e.code && CSV_ERRORS[e.code]) ?? 'it is not valid CSV';
    throw new ImportFileError(`The file cannot be read as CSV${e.lines ? ` at line ${e.lines}` : ''}: ${why}.`);
  }
  return sheetFromRows(
    { fileName: name, format: 'csv', delimiter, encoding: decoded.encoding },
    rows,
    total - 1,
    problems,
  );
}
