// Maps a decoded API path to the operation that serves it. `divisionviews` is routed before `{datatableId}`
// (it is a literal segment at the same level), and row keys arrive already URL-decoded, `%2F` included.
import { errors } from './errors.js';
import {
  createExportJob,
  createImportJob,
  getExportJob,
  getImportJob,
  listImportJobs,
} from './jobs-api.js';
import type { EmulatorOptions } from './options.js';
import { createRow, deleteRow, getRow, listRows, updateRow } from './rows-api.js';
import type { OrgState } from './store.js';
import { createTable, deleteTable, getTable, listTables, updateTable } from './tables-api.js';

export interface ApiRequest {
  method: string;
  /** Decoded path segments after /api/v2/. */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
  org: OrgState;
  origin: string;
  options: EmulatorOptions;
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

export function routeApi(req: ApiRequest): ApiResponse {
  const { method, segments: s, query, body, org, options } = req;
  if (s[0] === 'organizations' && s[1] === 'me' && s.length === 2 && method === 'GET') return ok(organizationMe(org));
  if (s[0] !== 'flows' || s[1] !== 'datatables') throw errors.notFound();
  const rest = s.slice(2);
  if (rest.length === 0) {
    if (method === 'GET') return ok(listTables(org, query, options));
    if (method === 'POST') return ok(createTable(org, body, options));
  }
  if (rest[0] === 'divisionviews') {
    if (rest.length === 1 && method === 'GET') return ok(listTables(org, query, options, '/api/v2/flows/datatables/divisionviews'));
    if (rest.length === 2 && method === 'GET') return ok(getTable(org, rest[1]!, query));
    throw errors.notFound();
  }
  const [tableId, section, a, b, c] = rest as [string, string?, string?, string?, string?];
  if (section === undefined) {
    if (method === 'GET') return ok(getTable(org, tableId, query));
    if (method === 'PUT') return ok(updateTable(org, tableId, body, query, options));
    if (method === 'DELETE') return (deleteTable(org, tableId, query), noContent);
  }
  if (section === 'rows') {
    if (a === undefined && method === 'GET') return ok(listRows(org, tableId, query, options));
    if (a === undefined && method === 'POST') return ok(createRow(org, tableId, body, options));
    if (a !== undefined && rest.length === 3) {
      if (method === 'GET') return ok(getRow(org, tableId, a, query, options));
      if (method === 'PUT') return ok(updateRow(org, tableId, a, body, options));
      if (method === 'DELETE') return (deleteRow(org, tableId, a), noContent);
    }
  }
  if (section === 'import') {
    if (a === 'csv' && b === 'jobs' && c === undefined && method === 'POST') return ok(createImportJob(org, tableId, body, org.clientId, req.origin, false));
    if (a === 'jobs' && b === undefined && method === 'POST') return ok(createImportJob(org, tableId, body, org.clientId, req.origin, true));
    if (a === 'jobs' && b === undefined && method === 'GET') return ok(listImportJobs(org, tableId, query, options, req.origin));
    if (a === 'jobs' && b !== undefined && c === undefined && method === 'GET') return ok(getImportJob(org, tableId, b, req.origin));
  }
  if (section === 'export' && a === 'jobs') {
    if (b === undefined && method === 'POST') {
      const { job, entity } = createExportJob(org, tableId, org.clientId, req.origin);
      req.onExportJob(tableId, job.id);
      return ok(entity);
    }
    if (b !== undefined && c === undefined && method === 'GET') return ok(getExportJob(org, tableId, b, req.origin));
  }
  throw errors.notFound();
}
