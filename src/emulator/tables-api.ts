// Data tables: list/get/create/update/delete (operations 1-7 of genesys-datatables.md §3).
import { randomUUID } from 'node:crypto';
import { errors } from './errors.js';
import { listing, readBoolean, readEnum, readPaging } from './listing.js';
import type { EmulatorOptions } from './options.js';
import { validateSchema, type TableSchema } from './schema-rules.js';
import { homeDivision, type DataTableState, type OrgState } from './store.js';
import { lingerDeletedTable, markNewTable, visibleTable, visibleTables, type Lag } from './visibility.js';

const TABLES_PATH = '/api/v2/flows/datatables';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The table as it truly is (writes). */
export function findTable(org: OrgState, id: string): DataTableState {
  const table = org.tables.get(id);
  if (!table) throw errors.tableNotFound();
  return table;
}

/** The table as reads see it at `now` (eventual consistency, visibility.ts). */
export function findVisibleTable(org: OrgState, id: string, now: number): DataTableState {
  const table = visibleTable(org, id, now);
  if (!table) throw errors.tableNotFound();
  return table;
}

export function tableEntity(org: OrgState, t: DataTableState, expandSchema: boolean): Record<string, unknown> {
  const division = org.divisions.find((d) => d.id === t.divisionId) ?? homeDivision(org);
  return {
    id: t.id,
    name: t.name,
    division: { id: division.id, name: division.name, selfUri: `/api/v2/authorization/divisions/${division.id}` },
    description: t.description,
    ...(expandSchema ? { schema: t.schema } : {}),
    selfUri: `${TABLES_PATH}/${t.id}`,
  };
}

function wildcardToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

/**
 * GET /flows/datatables and /flows/datatables/divisionviews (identical here: divisionview semantics are
 * UNCONFIRMED), showing only tables in `divisionIds` (those the client may view) as reads see them at `now`.
 */
export function listTables(
  org: OrgState,
  query: URLSearchParams,
  options: EmulatorOptions,
  view: { now: number; divisionIds: string[] },
  basePath = TABLES_PATH,
) {
  const paging = readPaging(query, options.behaviour);
  const expand = readEnum(query, 'expand', ['schema', ''] as const, '') === 'schema';
  const sortBy = readEnum(query, 'sortBy', ['id', 'name'] as const, 'id');
  const sortOrder = readEnum(query, 'sortOrder', ['ascending', 'descending', 'ASC', 'DESC'] as const, 'ascending');
  const divisionIds = query
    .getAll('divisionId')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  const name = query.get('name');
  let tables = visibleTables(org, view.now).filter((t) => view.divisionIds.includes(t.divisionId));
  if (name) {
    const re = wildcardToRegExp(name);
    tables = tables.filter((t) => re.test(t.name));
  }
  if (divisionIds.length) tables = tables.filter((t) => divisionIds.includes(t.divisionId));
  const keyOf = (t: DataTableState) => (sortBy === 'name' ? t.name.toLowerCase() : t.id);
  tables.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  if (sortOrder === 'descending' || sortOrder === 'DESC') tables.reverse();
  const extra = [...query.entries()]
    .filter(([k]) => k !== 'pageSize' && k !== 'pageNumber')
    .map(([k, v]) => `&${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('');
  return listing(
    tables.map((t) => tableEntity(org, t, expand)),
    paging,
    basePath,
    extra,
  );
}

export function getTable(org: OrgState, id: string, query: URLSearchParams, now: number) {
  const expand = readEnum(query, 'expand', ['schema', ''] as const, '') === 'schema';
  return tableEntity(org, findVisibleTable(org, id, now), expand);
}

function readTableBody(org: OrgState, body: unknown, options: EmulatorOptions, existing?: DataTableState) {
  if (!isObject(body)) throw errors.badRequest('The request body must be a DataTable object.');
  const name = body.name;
  if (typeof name !== 'string' || name.trim() === '') throw errors.badRequest('The datatable name is required.');
  if ([...name].length > 256) throw errors.badRequest('The datatable name may be at most 256 characters long.');
  const clash = [...org.tables.values()].find(
    (t) => t.name.toLowerCase() === name.toLowerCase() && t.id !== existing?.id,
  );
  if (clash) throw errors.conflict('general.conflict', `A datatable named '${name}' already exists.`, { name });
  if (body.description !== undefined && typeof body.description !== 'string')
    throw errors.badRequest('The description must be a string.');
  let divisionId = existing?.divisionId ?? homeDivision(org).id;
  if (body.division !== undefined) {
    const id = isObject(body.division) ? body.division.id : undefined;
    if (typeof id !== 'string' || !org.divisions.some((d) => d.id === id))
      throw errors.invalidValue(`Division [${String(id)}] does not exist.`);
    divisionId = id;
  }
  const schema = validateSchema(body.schema, options.limits, existing?.schema);
  return {
    name,
    description: (body.description as string | undefined) ?? existing?.description ?? '',
    divisionId,
    schema,
  };
}

function storedSchema(schema: TableSchema, name: string, description: string): TableSchema {
  // The schema title is overwritten with the table name; its description mirrors the table's.
  return { ...structuredClone(schema), title: name, description };
}

export function createTable(org: OrgState, body: unknown, options: EmulatorOptions, lag?: Lag) {
  if (org.tables.size >= options.limits.maxTablesPerOrg) {
    throw errors.limit(`An organization can have at most ${options.limits.maxTablesPerOrg} datatables.`, {
      key: 'max.datatables.per.org',
      namespace: 'flows.datatables',
      value: options.limits.maxTablesPerOrg,
    });
  }
  const input = readTableBody(org, body, options);
  const table: DataTableState = {
    id: randomUUID(),
    name: input.name,
    description: input.description,
    divisionId: input.divisionId,
    schema: storedSchema(input.schema, input.name, input.description),
    rows: new Map(),
    importJobs: [],
    exportJobs: [],
  };
  org.tables.set(table.id, table);
  markNewTable(table, lag);
  return tableEntity(org, table, true);
}

export function updateTable(
  org: OrgState,
  id: string,
  body: unknown,
  query: URLSearchParams,
  options: EmulatorOptions,
) {
  const table = findTable(org, id);
  const input = readTableBody(org, body, options, table);
  Object.assign(table, {
    name: input.name,
    description: input.description,
    divisionId: input.divisionId,
    schema: storedSchema(input.schema, input.name, input.description),
  });
  const expand = readEnum(query, 'expand', ['schema', ''] as const, '') === 'schema';
  return tableEntity(org, table, expand);
}

export function deleteTable(org: OrgState, id: string, query: URLSearchParams, lag?: Lag): void {
  const table = findTable(org, id);
  readBoolean(query, 'force', false); // no flows reference emulator tables, so force changes nothing
  org.tables.delete(id);
  lingerDeletedTable(org, table, lag);
}
