// Maps a decoded API path to the operation that serves it. `divisionviews` is routed before `{datatableId}`
// (it is a literal segment at the same level), and row keys arrive already URL-decoded, `%2F` included.
import { errors } from './errors.js';
import { createExportJob, createImportJob, getExportJob, getImportJob, listImportJobs } from './jobs-api.js';
import type { EmulatorOptions } from './options.js';
import { divisionsWith, requireAny, requireAnySomewhere, requireSomewhere, type Permission } from './permissions.js';
import { createRow, deleteRow, getRow, listRows, updateRow } from './rows-api.js';
import { homeDivision, type OrgState } from './store.js';
import { createTable, deleteTable, getTable, listTables, updateTable } from './tables-api.js';
import { visibleTable } from './visibility.js';

export interface ApiRequest {
  method: string;
  /** Decoded path segments after /api/v2/. */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
  org: OrgState;
  origin: string;
  options: EmulatorOptions;
  /** The emulator's clock at this request (eventual consistency). */
  now: number;
  /** Called when an export job is created, to finish it asynchronously. */
  onExportJob: (tableId: string, jobId: string) => void;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
}

/**
 * The path as the operation sees it, normalised the way the HTTP servers in front of an API commonly do
 * (nginx, Tomcat): segments are percent-decoded, empty ones merged away, then dot segments resolved. So
 * `…/rows/..` and `…/rows/%2E%2E` both reach the table itself, as they could on a real org: a client must
 * never send such a key (docs/adr/004-dot-segment-row-keys.md). Throws URIError on bad percent-encoding.
 */
export function pathSegments(rawPath: string): string[] {
  const out: string[] = [];
  for (const segment of rawPath.split('/')) {
    const decoded = decodeURIComponent(segment);
    if (decoded === '' || decoded === '.') continue;
    if (decoded === '..') out.pop();
    else out.push(decoded);
  }
  return out;
}

const ok = (body: unknown): ApiResponse => ({ status: 200, body });
const noContent: ApiResponse = { status: 204 };

function organizationMe(org: OrgState) {
  const slug = org.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return {
    id: org.id,
    name: org.name,
    defaultLanguage: 'en-us',
    defaultCountryCode: 'US',
    thirdPartyOrgName: slug,
    domain: slug,
    version: 1,
    state: 'active',
    defaultSiteId: '',
    supportURI: '',
    voicemailEnabled: true,
    productPlatform: 'PureCloud',
    selfUri: `/api/v2/organizations/${org.id}`,
  };
}

// Permissions per operation, "requires ANY of" (genesys-datatables.md §3). divisionviews officially needs
// architect:datatable:search, which the emulator's eight-permission roles do not model: it uses view.
const VIEW: Permission[] = ['architect:datatable:view'];
const ROW_VIEW: Permission[] = ['architect:datatable:view', 'architect:datatableRow:view'];
const ROW_ADD: Permission[] = ['architect:datatable:add', 'architect:datatableRow:add'];
const ROW_EDIT: Permission[] = ['architect:datatable:edit', 'architect:datatableRow:edit'];
const ROW_DELETE: Permission[] = ['architect:datatable:delete', 'architect:datatableRow:delete'];
const IMPORT: Permission[] = ['architect:datatable:edit', 'architect:datatableRow:add'];
const IMPORT_LIST: Permission[] = ['architect:datatable:edit', 'architect:datatableRow:view'];

/** The division a table body asks for (create/update), when it names an existing one. */
function requestedDivision(org: OrgState, body: unknown): string | undefined {
  const id = (body as { division?: { id?: unknown } } | undefined)?.division?.id;
  return typeof id === 'string' && org.divisions.some((d) => d.id === id) ? id : undefined;
}

export function routeApi(req: ApiRequest): ApiResponse {
  const { method, segments: s, query, body, org, options, now } = req;
  const lag = { now, delayMs: options.behaviour.visibilityDelayMs };
  const hideUngranted = options.behaviour.ungrantedDivision === 'not-found';
  /** Checks the permission in the table's division; for an unknown table, that the role has it somewhere (then 404). */
  const allow = (tableId: string, anyOf: Permission[]) => {
    const table = org.tables.get(tableId) ?? visibleTable(org, tableId, now);
    if (table) requireAny(org, table.divisionId, anyOf, hideUngranted);
    else requireAnySomewhere(org, anyOf);
  };
  const viewable = () => {
    requireSomewhere(org, 'architect:datatable:view');
    return { now, divisionIds: divisionsWith(org, 'architect:datatable:view') };
  };
  if (s[0] === 'organizations' && s[1] === 'me' && s.length === 2 && method === 'GET') return ok(organizationMe(org));
  if (s[0] !== 'flows' || s[1] !== 'datatables') throw errors.notFound();
  const rest = s.slice(2);
  if (rest.length === 0) {
    if (method === 'GET') return ok(listTables(org, query, options, viewable()));
    if (method === 'POST') {
      // A table without a division goes to the home division and needs `add` there (§13).
      requireAny(org, requestedDivision(org, body) ?? homeDivision(org).id, ['architect:datatable:add']);
      return ok(createTable(org, body, options, lag));
    }
  }
  if (rest[0] === 'divisionviews') {
    if (rest.length === 1 && method === 'GET')
      return ok(listTables(org, query, options, viewable(), '/api/v2/flows/datatables/divisionviews'));
    if (rest.length === 2 && method === 'GET') return (allow(rest[1]!, VIEW), ok(getTable(org, rest[1]!, query, now)));
    throw errors.notFound();
  }
  const [tableId, section, a, b, c] = rest as [string, string?, string?, string?, string?];
  if (section === undefined) {
    if (method === 'GET') return (allow(tableId, VIEW), ok(getTable(org, tableId, query, now)));
    if (method === 'PUT') {
      allow(tableId, ['architect:datatable:edit']);
      const moveTo = requestedDivision(org, body);
      if (moveTo) requireAny(org, moveTo, ['architect:datatable:edit']);
      return ok(updateTable(org, tableId, body, query, options));
    }
    if (method === 'DELETE')
      return (allow(tableId, ['architect:datatable:delete']), deleteTable(org, tableId, query, lag), noContent);
  }
  if (section === 'rows') {
    if (a === undefined && method === 'GET')
      return (allow(tableId, ROW_VIEW), ok(listRows(org, tableId, query, options, now)));
    if (a === undefined && method === 'POST')
      return (allow(tableId, ROW_ADD), ok(createRow(org, tableId, body, options, lag)));
    if (a !== undefined && rest.length === 3) {
      if (method === 'GET') return (allow(tableId, ROW_VIEW), ok(getRow(org, tableId, a, query, options, now)));
      if (method === 'PUT') return (allow(tableId, ROW_EDIT), ok(updateRow(org, tableId, a, body, options, lag)));
      if (method === 'DELETE') return (allow(tableId, ROW_DELETE), deleteRow(org, tableId, a, options, lag), noContent);
    }
  }
  if (section === 'import') {
    if (a === 'csv' && b === 'jobs' && c === undefined && method === 'POST')
      return (
        allow(tableId, IMPORT),
        ok(createImportJob(org, tableId, body, org.clientId, req.origin, false, options))
      );
    if (a === 'jobs' && b === undefined && method === 'POST')
      return (allow(tableId, IMPORT), ok(createImportJob(org, tableId, body, org.clientId, req.origin, true, options)));
    if (a === 'jobs' && b === undefined && method === 'GET')
      return (allow(tableId, IMPORT_LIST), ok(listImportJobs(org, tableId, query, options, req.origin)));
    if (a === 'jobs' && b !== undefined && c === undefined && method === 'GET')
      return (allow(tableId, ROW_VIEW), ok(getImportJob(org, tableId, b, req.origin)));
  }
  if (section === 'export' && a === 'jobs') {
    allow(tableId, ROW_VIEW);
    if (b === undefined && method === 'POST') {
      const { job, entity } = createExportJob(org, tableId, org.clientId, req.origin);
      req.onExportJob(tableId, job.id);
      return ok(entity);
    }
    if (b !== undefined && c === undefined && method === 'GET') return ok(getExportJob(org, tableId, b, req.origin));
  }
  throw errors.notFound();
}
