// The product's only road to Genesys Cloud: what services may ask of an org's data tables. One
// implementation (SdkDataTableGateway) drives the official SDK, against Genesys or the built-in emulator.
import type { CallMode } from './request-queue.js';

export type { FieldSchema, FieldType, Row, RowValue, TableSchema } from './datatable-schema.js';
import type { Row, TableSchema } from './datatable-schema.js';

export interface DataTable {
  id: string;
  name: string;
  description: string;
  division: { id: string; name: string };
  schema: TableSchema;
}

export interface OrgIdentity {
  id: string;
  name: string;
}

export interface ImportResult {
  status: 'Succeeded' | 'Failed';
  updated: number;
  deleted: number;
  failed: number;
  message?: string;
  /** The upload was refused: the job never ran and no row was touched. */
  nothingImported?: boolean;
}

export interface CallOptions {
  mode?: CallMode;
}

export interface DataTableGateway {
  /** Token + GET /organizations/me + a one-row table listing: proves credentials, region and permissions. */
  testConnection(): Promise<OrgIdentity>;
  listTables(opts?: CallOptions): Promise<DataTable[]>;
  getTable(tableId: string, opts?: CallOptions): Promise<DataTable>;
  /** A new table with this schema (division omitted: Genesys puts it in the Home division), once reads see it. */
  createTable(
    table: { name: string; description: string; divisionId?: string; schema: TableSchema },
    opts?: CallOptions,
  ): Promise<DataTable>;
  /** Every row, with the largest page size the org allows and pages fetched concurrently within the budget. */
  readAllRows(tableId: string, opts?: CallOptions): Promise<Row[]>;
  /**
   * Every row, read again with back-off (bounded) until `settled(rows)` holds: after the caller's own write, which
   * Genesys may not show at once. Returns the last read whether or not it settled.
   */
  readAllRowsAfterWrite(tableId: string, settled: (rows: Row[]) => boolean, opts?: CallOptions): Promise<Row[]>;
  getRow(tableId: string, key: string, opts?: CallOptions): Promise<Row | null>;
  /** The number of rows (one brief, one-row page). */
  countRows(tableId: string, opts?: CallOptions): Promise<number>;
  createRow(tableId: string, row: Row, opts?: CallOptions): Promise<Row>;
  updateRow(tableId: string, key: string, row: Row, opts?: CallOptions): Promise<Row>;
  /** 'already-gone' when Genesys answered 404: the row is not there, which is what was asked. */
  deleteRow(tableId: string, key: string, opts?: CallOptions): Promise<'deleted' | 'already-gone'>;
  importCsv(tableId: string, csv: string, mode: 'Append' | 'ReplaceAll', opts?: CallOptions): Promise<ImportResult>;
  exportCsv(tableId: string, opts?: CallOptions): Promise<string>;
}
