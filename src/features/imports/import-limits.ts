// The bounds of an uploaded import file (security-reliability.md §1.10 R7): every one is a named constant, and
// a file beyond one is refused with a message naming the bound, before it can cost the server memory or time.
import { ValidationError } from '../../lib/errors.js';

/** The largest upload accepted (multer's `limits.fileSize` and parseUpload's own check). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** Rows a Genesys data table holds (genesys-datatables.md §6). */
export const MAX_TABLE_ROWS = 5000;
/** Records kept from a file: one more than a table holds, so the dry run can say the file is too long. */
export const MAX_RECORDS_KEPT = MAX_TABLE_ROWS + 1;
/** Columns a file may have: four times the 50 fields of a Genesys table, so extra columns can be left out. */
export const MAX_FILE_COLUMNS = 200;
/** Characters in one cell (a Genesys row must fit a 512,000-byte request anyway). */
export const MAX_CELL_CHARS = 100_000;
/** Entries in an XLSX zip (a workbook has a few dozen). */
export const MAX_ZIP_ENTRIES = 1000;
/** Uncompressed bytes of all an XLSX's entries together, checked against what the entries really inflate to. */
export const MAX_XLSX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024;
/** Compression ratio allowed for an entry over 1 MB (sheet XML compresses 5–30 times; a bomb thousands). */
export const MAX_COMPRESSION_RATIO = 200;
/** Element nesting in an XLSX's XML (a worksheet nests about 6 deep; rich text a few more). */
export const MAX_XML_DEPTH = 64;
/** Cells in all the sheets of a workbook: 5,001 rows of 50 columns, what ExcelJS reads in bounded time. */
export const MAX_XLSX_CELLS = MAX_RECORDS_KEPT * 50;
/** Problems of one kind listed before the rest are only counted (a page with 5,000 identical lines helps no one). */
export const MAX_PROBLEMS_PER_KIND = 200;

const MB = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
export const UPLOAD_TOO_LARGE_MESSAGE = `The file is larger than ${MB(MAX_UPLOAD_BYTES)}, the most an import accepts. A data table holds at most ${MAX_TABLE_ROWS.toLocaleString('en')} rows, which fit in far less: remove other sheets or columns, or save it as CSV.`;

/** A file refused as a whole (empty, too large, not CSV or XLSX, a zip bomb...): a 400 naming the reason. */
export class ImportFileError extends ValidationError {
  constructor(message: string) {
    super(message, { file: message });
    this.name = 'ImportFileError';
  }
}

/** `n` with thousands separators, as the messages show numbers. */
export const count = (n: number) => n.toLocaleString('en');
export { MB as megabytes };
