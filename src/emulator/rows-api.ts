// Rows: list/get/create/update/delete (operations 8-12). PUT replaces the whole row (omitted fields return
// to their defaults), keys are immutable, duplicates rejected, the per-table row limit enforced.
import { errors } from './errors.js';
import { listing, readBoolean, readEnum, readPaging } from './listing.js';
import type { EmulatorOptions } from './options.js';
import { normaliseRow, type Row } from './schema-rules.js';
import { sortedKeys, touchRows, type OrgState } from './store.js';
import { findTable } from './tables-api.js';

const brief = (row: Row) => ({ key: row.key });

export function listRows(org: OrgState, tableId: string, query: URLSearchParams, options: EmulatorOptions) {
  const table = findTable(org, tableId);
  const paging = readPaging(query, options.behaviour);
  const showbrief = readBoolean(query, 'showbrief', true);
  const order = readEnum(query, 'sortOrder', ['ascending', 'descending'] as const, 'ascending');
  let keys = sortedKeys(table);
  if (order === 'descending') keys = [...keys].reverse();
  const start = (paging.pageNumber - 1) * paging.pageSize;
  // Build only the requested page, then wrap it in a listing sized by the full key count.
  const page = keys.slice(start, start + paging.pageSize).map((k) => table.rows.get(k)!);
  const entities = page.map((r) => (showbrief ? brief(r) : r));
  const body = listing(new Array<unknown>(keys.length), paging, `/api/v2/flows/datatables/${tableId}/rows`, showbrief ? '' : '&showbrief=false');
  body.entities = entities;
  return body;
}

export function getRow(org: OrgState, tableId: string, key: string, query: URLSearchParams, options: EmulatorOptions) {
  const table = findTable(org, tableId);
  const row = table.rows.get(key);
  if (!row) throw errors.rowNotFound(key);
  return readBoolean(query, 'showbrief', options.behaviour.singleRowShowbriefDefault) ? brief(row) : row;
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

export function createRow(org: OrgState, tableId: string, body: unknown, options: EmulatorOptions) {
  const table = findTable(org, tableId);
  const row = normaliseRow(body, table.schema, options.limits, { enforceLengths: options.behaviour.enforceSchemaBounds });
  const key = String(row.key);
  if (table.rows.has(key)) {
    const { status, code } = options.behaviour.duplicateRow;
    throw Object.assign(errors.conflict(code, `A row with key '${key}' already exists.`, { key }), { status });
  }
  checkRowLimit(table.rows.size, options);
  table.rows.set(key, row);
  touchRows(table);
  return row;
}

export function updateRow(org: OrgState, tableId: string, key: string, body: unknown, options: EmulatorOptions) {
  const table = findTable(org, tableId);
  if (body === undefined || body === null) throw errors.badRequest('The request body is required: the complete row, including its key.');
  if (typeof body === 'object' && !Array.isArray(body) && (body as Row).key === undefined) {
    body = { ...(body as Row), key }; // a body without its key means "this row"
  }
  const row = normaliseRow(body, table.schema, options.limits, { enforceLengths: options.behaviour.enforceSchemaBounds });
  if (row.key !== key) throw errors.badRequest(`The key in the body (${String(row.key)}) does not match the row being updated (${key}); keys cannot be changed.`);
  if (!table.rows.has(key)) {
    if (options.behaviour.putUnknownRow === 'not-found') throw errors.rowNotFound(key);
    checkRowLimit(table.rows.size, options);
    touchRows(table);
  }
  table.rows.set(key, row);
  return row;
}

export function deleteRow(org: OrgState, tableId: string, key: string): void {
  const table = findTable(org, tableId);
  if (!table.rows.delete(key)) throw errors.rowNotFound(key);
  touchRows(table);
}
