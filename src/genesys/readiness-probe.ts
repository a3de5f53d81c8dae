// The readiness probe (docs/adr/009-readiness-probes.md): what an org's OAuth client can do, division by
// division, found with calls that cannot damage data. Reads always; writes only when an admin asks for the
// write checks, and then only on a probe row whose key says what it is, or with table bodies Genesys must
// refuse for their content (so a 400 proves the permission passed and nothing was written).
import { randomBytes, randomUUID } from 'node:crypto';
import { GenesysAuthError, GenesysError, GenesysNotFoundError, GenesysValidationError } from './errors.js';
import type { DataTable, DataTableGateway } from './gateway.js';
import type { OrgApiClient } from './org-api-client.js';
import { ROW_PAGE_SIZES } from './page-sizes.js';
import type { OrgRequestQueue } from './request-queue.js';

export type Capability =
  'viewTables' | 'readRows' | 'addRows' | 'editRows' | 'deleteRows' | 'createTables' | 'changeTables' | 'deleteTables';
export type CheckStatus = 'ok' | 'missing' | 'not-checked' | 'failed';

/**
 * The eight data-table permissions, as what the app does with them. Row operations accept either permission.
 * `unused`: the app never needs it, so its absence is shown but is not a problem to fix.
 */
export const CAPABILITIES: Record<
  Capability,
  { label: string; permissions: string[]; usedFor: string; unused?: true }
> = {
  viewTables: { label: 'See tables', permissions: ['architect:datatable:view'], usedFor: 'listing and opening tables' },
  readRows: {
    label: 'Read rows',
    permissions: ['architect:datatableRow:view', 'architect:datatable:view'],
    usedFor: 'showing, searching, exporting and backing up rows',
  },
  addRows: {
    label: 'Add rows',
    permissions: ['architect:datatableRow:add', 'architect:datatable:add'],
    usedFor: 'new rows, undoing a delete, restores',
  },
  editRows: {
    label: 'Edit rows',
    permissions: ['architect:datatableRow:edit', 'architect:datatable:edit'],
    usedFor: 'editing rows, bulk edits, undo',
  },
  deleteRows: {
    label: 'Delete rows',
    permissions: ['architect:datatableRow:delete', 'architect:datatable:delete'],
    usedFor: 'deleting rows, renaming keys, undoing an add',
  },
  createTables: {
    label: 'Create tables',
    permissions: ['architect:datatable:add'],
    usedFor: 'restoring a table that was deleted',
  },
  changeTables: {
    label: 'Change tables (CSV import)',
    permissions: ['architect:datatable:edit'],
    usedFor: 'restores and large changes by CSV import',
  },
  deleteTables: {
    label: 'Delete tables',
    permissions: ['architect:datatable:delete'],
    usedFor: 'nothing: this app never deletes tables',
    unused: true,
  },
};
export const CAPABILITY_ORDER = Object.keys(CAPABILITIES) as Capability[];

export interface CapabilityCheck {
  capability: Capability;
  status: CheckStatus;
  detail: string;
}

export interface DivisionReadiness {
  id: string;
  name: string;
  /** The table the checks ran on. */
  table: { id: string; name: string };
  checks: CapabilityCheck[];
}

export interface ReadinessReport {
  checkedAt: string;
  writeChecks: boolean;
  token: { status: 'ok' | 'failed'; detail: string };
  listing: { status: CheckStatus; detail: string };
  divisions: DivisionReadiness[];
  pageSize: { status: CheckStatus; size: number | null; detail: string };
  /** Probe rows a write check could not remove (to delete by hand). */
  leftovers: string[];
}

export const PROBE_KEY_PREFIX = 'dtm-readiness-probe-';
const MISSING_CODES = new Set(['missing.permissions', 'missing.any.permissions', 'not.authorized']);

export function isMissingPermission(err: unknown): boolean {
  return (
    (err instanceof GenesysAuthError && err.reason === 'missing-permissions') ||
    (err instanceof GenesysError && MISSING_CODES.has(err.genesysCode ?? ''))
  );
}

/** Genesys looked at the request's content (so the permission check, which comes first, passed). */
const refusedForContent = (err: unknown) =>
  (err instanceof GenesysValidationError || err instanceof GenesysNotFoundError) && !isMissingPermission(err);

type Attempt = { ok: true } | { ok: false; err: unknown };

export interface ProbeDeps {
  client: OrgApiClient;
  queue: OrgRequestQueue;
  gateway: DataTableGateway;
  now: () => Date;
}

export async function probeReadiness(deps: ProbeDeps, opts: { writeChecks: boolean }): Promise<ReadinessReport> {
  const call = (fn: () => Promise<unknown>) => deps.queue.run(() => deps.client.call(fn), 'interactive');
  const attempt = async (fn: () => Promise<unknown>): Promise<Attempt> => {
    try {
      await call(fn);
      return { ok: true };
    } catch (err) {
      if (!(err instanceof GenesysError)) throw err;
      return { ok: false, err };
    }
  };
  const report: ReadinessReport = {
    checkedAt: deps.now().toISOString(),
    writeChecks: opts.writeChecks,
    token: { status: 'ok', detail: 'The app signed in with the OAuth client id and secret.' },
    listing: { status: 'not-checked', detail: '' },
    divisions: [],
    pageSize: { status: 'not-checked', size: null, detail: 'Not checked: no table could be read.' },
    leftovers: [],
  };
  const me = await attempt(() => deps.client.organization.getOrganizationsMe());
  if (!me.ok) {
    report.token = { status: 'failed', detail: (me.err as Error).message };
    report.listing.detail = 'Not checked: the app could not sign in.';
    return report;
  }
  let tables: DataTable[];
  try {
    tables = await deps.gateway.listTables();
  } catch (err) {
    if (!(err instanceof GenesysError)) throw err;
    report.listing = isMissingPermission(err)
      ? {
          status: 'missing',
          detail: 'The role of this OAuth client has architect:datatable:view in no division, so it sees no tables.',
        }
      : { status: 'failed', detail: err.message };
    return report;
  }
  report.listing = {
    status: 'ok',
    detail: `The client sees ${tables.length} table(s) in ${new Set(tables.map((t) => t.division.id)).size} division(s).`,
  };
  const byDivision = new Map<string, DataTable[]>();
  for (const t of tables) byDivision.set(t.division.id, [...(byDivision.get(t.division.id) ?? []), t]);
  const deleteTables = opts.writeChecks ? await probeTableDelete(deps.client.architect, attempt) : NOT_CHECKED_DELETE;
  for (const [divisionId, inDivision] of byDivision) {
    const division = await probeDivision(divisionId, inDivision[0]!, {
      architect: deps.client.architect,
      attempt,
      writeChecks: opts.writeChecks,
      leftovers: report.leftovers,
    });
    division.checks.push({ capability: 'deleteTables', ...deleteTables });
    report.divisions.push(division);
  }
  const readable = new Set(
    report.divisions.filter((d) => d.checks.find((c) => c.capability === 'readRows')?.status === 'ok').map((d) => d.id),
  );
  const widest = tables
    .filter((t) => readable.has(t.division.id))
    .sort((a, b) => Object.keys(b.schema.properties).length - Object.keys(a.schema.properties).length)[0];
  if (widest) report.pageSize = await probePageSize(deps.client.architect, widest, attempt);
  return report;
}

interface DivisionProbeContext {
  architect: OrgApiClient['architect'];
  attempt: (fn: () => Promise<unknown>) => Promise<Attempt>;
  writeChecks: boolean;
  leftovers: string[];
}

function statusOf(
  result: Attempt,
  okDetail: string,
  acceptContentRefusal = false,
): { status: CheckStatus; detail: string } {
  if (result.ok || (acceptContentRefusal && refusedForContent(result.err))) return { status: 'ok', detail: okDetail };
  if (isMissingPermission(result.err))
    return { status: 'missing', detail: 'Genesys Cloud answered 403: the permission is missing in this division.' };
  return { status: 'failed', detail: `Could not be checked: ${(result.err as Error).message}` };
}

async function probeDivision(
  divisionId: string,
  table: DataTable,
  ctx: DivisionProbeContext,
): Promise<DivisionReadiness> {
  const architect = ctx.architect;
  const checks: CapabilityCheck[] = [];
  const add = (capability: Capability, s: { status: CheckStatus; detail: string }) => checks.push({ capability, ...s });
  const listed = await ctx.attempt(() => architect.getFlowsDatatables({ divisionId: [divisionId], pageSize: 1 }));
  const opened = listed.ok
    ? await ctx.attempt(() => architect.getFlowsDatatable(table.id, { expand: 'schema' }))
    : listed;
  add('viewTables', statusOf(opened, `Listed the division's tables and opened “${table.name}”.`));
  add(
    'readRows',
    statusOf(
      await ctx.attempt(() => architect.getFlowsDatatableRows(table.id, { pageSize: 1, showbrief: false })),
      `Read a row of “${table.name}”.`,
    ),
  );
  if (!ctx.writeChecks) {
    const notChecked = { status: 'not-checked' as const, detail: 'Not checked: run the write checks to test it.' };
    for (const c of ['addRows', 'editRows', 'deleteRows', 'createTables', 'changeTables'] as const) add(c, notChecked);
  } else {
    const key = `${PROBE_KEY_PREFIX}${randomBytes(4).toString('hex')}`;
    const created = await ctx.attempt(() => architect.postFlowsDatatableRows(table.id, { key } as never));
    add('addRows', statusOf(created, `Added the probe row “${key}” to “${table.name}”.`));
    // An edit or delete of a row that is not there answers 404 after the permission check: still proof.
    add(
      'editRows',
      statusOf(
        await ctx.attempt(() => architect.putFlowsDatatableRow(table.id, key, { body: { key } })),
        `Changed the probe row “${key}”.`,
        true,
      ),
    );
    const deleted = await ctx.attempt(() => architect.deleteFlowsDatatableRow(table.id, key));
    add('deleteRows', statusOf(deleted, `Deleted the probe row “${key}”.`, true));
    if (created.ok && !deleted.ok) ctx.leftovers.push(`the row “${key}” in “${table.name}”`);
    // Table bodies without a name: Genesys refuses them for their content (400) once the permission passed.
    const newTable = {
      name: '',
      description: 'readiness probe',
      division: { id: divisionId },
      schema: {
        type: 'object',
        required: ['key'],
        properties: { key: { type: 'string' } },
        additionalProperties: false,
      },
    };
    add(
      'createTables',
      statusOf(
        await ctx.attempt(() => architect.postFlowsDatatables(newTable as never)),
        'Genesys Cloud accepted the request to create a table here (the probe’s table had no name, so none was made).',
        true,
      ),
    );
    add(
      'changeTables',
      statusOf(
        await ctx.attempt(() => architect.putFlowsDatatable(table.id, { ...newTable, id: table.id } as never)),
        `Genesys Cloud accepted the request to change “${table.name}” (the probe’s body had no name, so nothing changed).`,
        true,
      ),
    );
  }
  return { id: divisionId, name: table.division.name || divisionId, table: { id: table.id, name: table.name }, checks };
}

const NOT_CHECKED_DELETE = {
  status: 'not-checked' as const,
  detail: 'Not checked: run the write checks to test it (this app never deletes tables).',
};

/**
 * Deleting tables, tried without deleting one: a DELETE of a table id that cannot exist. Genesys checks that
 * the role holds the permission before it looks the table up, so 403 = the role has it in no division and 404
 * = it has it somewhere. Which divisions cannot be told without a real table, and none is ever deleted.
 */
async function probeTableDelete(
  architect: OrgApiClient['architect'],
  attempt: (fn: () => Promise<unknown>) => Promise<Attempt>,
): Promise<{ status: CheckStatus; detail: string }> {
  const result = await attempt(() => architect.deleteFlowsDatatable(randomUUID()));
  if (!result.ok && isMissingPermission(result.err)) {
    return { status: 'missing', detail: 'Genesys Cloud answered 403: the role has this permission in no division.' };
  }
  const absent = !result.ok && result.err instanceof GenesysNotFoundError;
  if (result.ok || absent)
    return {
      status: 'ok',
      detail:
        'The role has this permission in at least one division (tried on a table that does not exist, so nothing was deleted). This app never uses it.',
    };
  return { status: 'failed', detail: `Could not be checked: ${(result.err as Error).message}` };
}

/** The largest row page the org answers for its widest table (Genesys caps a response's size, §13). */
async function probePageSize(
  architect: OrgApiClient['architect'],
  table: DataTable,
  attempt: (fn: () => Promise<unknown>) => Promise<Attempt>,
): Promise<ReadinessReport['pageSize']> {
  const refused: string[] = [];
  for (const size of ROW_PAGE_SIZES) {
    const result = await attempt(() =>
      architect.getFlowsDatatableRows(table.id, { pageSize: size, pageNumber: 1, showbrief: false }),
    );
    if (result.ok) {
      const note = refused.length ? ` (${refused.join('; ')}: the app reads smaller pages there)` : '';
      return {
        status: 'ok',
        size,
        detail: `Pages of ${size} rows work on “${table.name}”, the widest table the client can read${note}.`,
      };
    }
    if (!(result.err instanceof GenesysValidationError))
      return { status: 'failed', size: null, detail: `Could not be checked: ${(result.err as Error).message}` };
    refused.push(`${size} refused (${result.err.genesysCode ?? result.err.message})`);
  }
  return { status: 'failed', size: null, detail: `No page size worked on “${table.name}”: ${refused.join('; ')}.` };
}
