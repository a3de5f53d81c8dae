// Rows: list/get/create/update/delete (operations 8-12). PUT replaces the whole row (omitted fields return
// to their defaults), keys are immutable, duplicates rejected, the per-table row limit enforced. Writes act on
// the true state; reads see it as visibility.ts lags it, and answer values as value-normalisation.ts shapes them.
import { errors } from './errors.js';
import { listing, readBoolean, readEnum, readPaging } from './listing.js';
import type { EmulatorOptions } from './options.js';
import { normaliseRow, type Row } from './schema-rules.js';
import { touchRows, type DataTableState, type OrgState } from './store.js';
import { findTable, findVisibleTable } from './tables-api.js';
import { presentRow, trimOnWrite } from './value-normalisation.js';
import { noteRowChange, visibleKeys, visibleRow, type Lag } from './visibility.js';

const brief = (row: Row) => ({ key: row.key });
const present = (row: Row, table: DataTableState, options: EmulatorOptions) =>
  presentRow(row, table.schema, options.behaviour.normaliseValues);

export function listRows(
  org: OrgState,
  tableId: string,
  query: URLSearchParams,
  options: EmulatorOptions,
  now: number,
) {
  const table = findVisibleTable(org, tableId, now);
  const paging = readPaging(query, options.behaviour);
  const showbrief = readBoolean(query, 'showbrief', true);
  const order = readEnum(query, 'sortOrder', ['ascending', 'descending'] as const, 'ascending');
  let keys = visibleKeys(table, now);
  if (order === 'descending') keys = [...keys].reverse();
  const start = (paging.pageNumber - 1) * paging.pageSize;
  // Build only the requested page, then wrap it in a listing sized by the full key count.
  const page = keys.slice(start, start + paging.pageSize).map((k) => visibleRow(table, k, now)!);
  const entities = page.map((r) => (showbrief ? brief(r) : present(r, table, options)));
  const body = listing(
    new Array<unknown>(keys.length),
    paging,
    `/api/v2/flows/datatables/${tableId}/rows`,
    showbrief ? '' : '&showbrief=false',
  );
  body.entities = entities;
  return body;
}

export function getRow(
  org: OrgState,
  tableId: string,
  key: string,
  query: URLSearchParams,
  options: EmulatorOptions,
  now: number,
) {
  const table = findVisibleTable(org, tableId, now);
  const row = visibleRow(table, key, now);
  if (!row) throw errors.rowNotFound(key);
  return readBoolean(query, 'showbrief', options.behaviour.singleRowShowbriefDefault)
    ? brief(row)
    : present(row, table, options);
}

function checkRowLimit(count: number, options: EmulatorOptions): void {
  if (count >= options.limits.maxRowsPerTable) {
    throw errors.limit(`A datatable can have at most ${options.limits.maxRowsPerTable} rows.`, {
      key: 'max.rows.per.datatable',
      namespace: 'flows.datatables',
      value: options.limits.maxRowsPerTable,
    });
  }
}

/** The `failRowWrites` knob: a write of a listed key is refused as Genesys refuses a value it will not store. */
export function refuseInjectedFailure(key: string, options: EmulatorOptions): void {
  if (options.behaviour.failRowWrites.includes(key))
    throw errors.invalidValue(`The row '${key}' was refused (an injected failure: the emulator's failRowWrites).`);
}

/** A row body checked against the schema and stored as Genesys would store it. */
export function rowToStore(body: unknown, table: DataTableState, options: EmulatorOptions): Row {
  const row = normaliseRow(body, table.schema, options.limits, {
    enforceLengths: options.behaviour.enforceSchemaBounds,
  });
  return options.behaviour.normaliseValues ? trimOnWrite(row, table.schema) : row;
}

export function createRow(org: OrgState, tableId: string, body: unknown, options: EmulatorOptions, lag?: Lag) {
  const table = findTable(org, tableId);
  const row = rowToStore(body, table, options);
  const key = String(row.key);
  refuseInjectedFailure(key, options);
  if (table.rows.has(key)) {
    const { status, code } = options.behaviour.duplicateRow;
    throw Object.assign(errors.conflict(code, `A row with key '${key}' already exists.`, { key }), { status });
  }
  checkRowLimit(table.rows.size, options);
  table.rows.set(key, row);
  noteRowChange(table, key, undefined, lag);
  touchRows(table);
  return present(row, table, options);
}

export function updateRow(
  org: OrgState,
  tableId: string,
  key: string,
  body: unknown,
  options: EmulatorOptions,
  lag?: Lag,
) {
  const table = findTable(org, tableId);
  if (body === undefined || body === null)
    throw errors.badRequest('The request body is required: the complete row, including its key.');
  if (typeof body === 'object' && !Array.isArray(body) && (body as Row).key === undefined) {
    body = { ...(body as Row), key }; // a body without its key means "this row"
  }
  const row = rowToStore(body, table, options);
  if (row.key !== key)
    throw errors.badRequest(
      `The key in the body (${String(row.key)}) does not match the row being updated (${key}); keys cannot be changed.`,
    );
  refuseInjectedFailure(key, options);
  const previous = table.rows.get(key);
  if (!previous) {
    if (options.behaviour.putUnknownRow === 'not-found') throw errors.rowNotFound(key);
    checkRowLimit(table.rows.size, options);
    noteRowChange(table, key, undefined, lag);
    touchRows(table);
  } else if (options.behaviour.updateVisibility === 'lagging') {
    noteRowChange(table, key, previous, lag); // reads answer the previous values for the delay
  }
  table.rows.set(key, row);
  return present(row, table, options);
}

export function deleteRow(org: OrgState, tableId: string, key: string, options: EmulatorOptions, lag?: Lag): void {
  const table = findTable(org, tableId);
  refuseInjectedFailure(key, options);
  const previous = table.rows.get(key);
  if (!table.rows.delete(key)) throw errors.rowNotFound(key);
  noteRowChange(table, key, previous, lag);
  touchRows(table);
}
