// Single-row calls or one CSV import job: whichever takes fewer calls. Shared by the restore plan (which shows
// the choice before anything is written) and the change engine (which makes it when applying).
import { stringify } from 'csv-stringify/sync';
import type { DataTable, Row, TableSchema } from '../../genesys/gateway.js';

/** Fewer rows than this always go one call per row: a job's fixed cost (create, upload, poll) is not worth it. */
export const IMPORT_MIN_ROWS = 20;
/** The page size row reads are planned with (the gateway may use smaller pages on a strict org). */
export const ROWS_PER_PAGE = 500;

export const pagesOf = (rowsInTable: number): number => Math.max(1, Math.ceil(rowsInTable / ROWS_PER_PAGE));

/**
 * Calls each way, once the table has been read: a row write is one call per row (2 when it must read the row
 * first); an import job is create + upload + a poll, plus a read of the table after it (to decide each row's
 * outcome, as the job only reports counts).
 */
export function writeCalls(rowsToWrite: number, rowsInTable: number): { rows: number; import: number } {
  return { rows: 2 * rowsToWrite, import: 3 + 2 * pagesOf(rowsInTable) };
}

export function chooseMethod(rowsToWrite: number, rowsInTable: number): 'rows' | 'import' {
  const calls = writeCalls(rowsToWrite, rowsInTable);
  return rowsToWrite >= IMPORT_MIN_ROWS && calls.import < calls.rows ? 'import' : 'rows';
}

/**
 * Whether a row survives the CSV round trip: Genesys reads an empty cell as "use the column's default", so
 * an empty string can only go in a CSV for a column whose default is empty too.
 */
export const importable = (row: Row, schema: TableSchema) =>
  Object.entries(row).every(([c, v]) => v !== '' || (schema.properties[c]?.default ?? '') === '');

export function csvOf(table: DataTable, rows: Row[]): string {
  const columns = Object.keys(table.schema.properties).sort((a, b) => (a === 'key' ? -1 : b === 'key' ? 1 : 0));
  return stringify(
    rows.map((r) => columns.map((c) => (r[c] === undefined ? '' : String(r[c])))),
    { header: true, columns, quoted_match: /^\s|\s$/ },
  );
}

/** The same choice once the table has been read (the engine's table reads): a row write is then one call. */
export function chooseAfterRead(rowsToWrite: number, rowsInTable: number): 'rows' | 'import' {
  return rowsToWrite >= IMPORT_MIN_ROWS && 3 + pagesOf(rowsInTable) < rowsToWrite ? 'import' : 'rows';
}
