// The emulator's state: orgs (one per OAuth client), their divisions, data tables, rows and jobs. Plain data
// so it can be saved to and loaded from a JSON file (the sandbox org survives restarts).
import { randomUUID } from 'node:crypto';
import { FULL_ROLE, type Role } from './permissions.js';
import type { Row, TableSchema } from './schema-rules.js';

export interface Division {
  id: string;
  name: string;
}

export interface ImportJob {
  id: string;
  tableId: string;
  status: 'WaitingForUpload' | 'Processing' | 'Succeeded' | 'Failed';
  importMode: 'ReplaceAll' | 'Append';
  dateCreated: string;
  dateCompleted?: string;
  uploadHeaders?: Record<string, string>;
  countRecordsUpdated: number;
  countRecordsDeleted: number;
  countRecordsFailed: number;
  errorInformation?: Record<string, unknown>;
  owner: string;
  deprecatedEndpoint: boolean;
}

export interface ExportJob {
  id: string;
  tableId: string;
  status: 'Processing' | 'Succeeded' | 'Failed';
  dateCreated: string;
  dateCompleted?: string;
  downloadToken: string;
  csv?: string;
  countRecordsProcessed: number;
  owner: string;
}

export interface DataTableState {
  id: string;
  name: string;
  description: string;
  divisionId: string;
  schema: TableSchema;
  rows: Map<string, Row>;
  importJobs: ImportJob[];
  exportJobs: ExportJob[];
  /** Sorted keys, rebuilt lazily after a change (listings are frequent, writes are not). */
  sortedKeys?: string[];
  /** Eventual consistency (not persisted): reads ignore a new table until then. */
  visibleAfter?: number;
  /** Eventual consistency (not persisted): per key, what reads still see until `until` (null = no row). */
  stale?: Map<string, { until: number; shown: Row | null }>;
}

export interface OrgState {
  id: string;
  name: string;
  clientId: string;
  clientSecret: string;
  divisions: Division[];
  /** What the OAuth client may do, per division. */
  role: Role;
  tables: Map<string, DataTableState>;
  /** Eventual consistency (not persisted): deleted tables that reads still see until `until`. */
  lingering?: Map<string, { table: DataTableState; until: number }>;
}

export interface OrgSeed {
  name: string;
  clientId: string;
  clientSecret: string;
  id?: string;
  /** Default: every data-table permission in every division. */
  role?: Role;
}

export function createOrg(seed: OrgSeed): OrgState {
  return {
    id: seed.id ?? randomUUID(),
    name: seed.name,
    clientId: seed.clientId,
    clientSecret: seed.clientSecret,
    divisions: [
      { id: randomUUID(), name: 'Home' },
      { id: randomUUID(), name: 'Customer Care' },
    ],
    role: seed.role ?? FULL_ROLE,
    tables: new Map(),
  };
}

export function homeDivision(org: OrgState): Division {
  return org.divisions[0]!;
}

/** Ordinal (UTF-16 code unit) order of row keys; Genesys' own ordering is UNCONFIRMED. */
export const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function sortedKeys(table: DataTableState): string[] {
  table.sortedKeys ??= [...table.rows.keys()].sort(byCodeUnit);
  return table.sortedKeys;
}

export function touchRows(table: DataTableState): void {
  table.sortedKeys = undefined;
}

// ---- persistence -------------------------------------------------------------------------------------

interface SavedTable extends Omit<DataTableState, 'rows' | 'sortedKeys' | 'exportJobs'> {
  rows: Row[];
}
interface SavedOrg extends Omit<OrgState, 'tables' | 'lingering' | 'role'> {
  role?: Role;
  tables: SavedTable[];
}
export interface SavedState {
  version: 1;
  orgs: SavedOrg[];
}

export function serialiseOrgs(orgs: OrgState[]): SavedState {
  return {
    version: 1,
    orgs: orgs.map(({ lingering: _transient, ...o }) => ({
      ...o,
      tables: [...o.tables.values()].map((t) => ({
        id: t.id,
        name: t.name,
        description: t.description,
        divisionId: t.divisionId,
        schema: t.schema,
        rows: [...t.rows.values()],
        importJobs: t.importJobs.filter((j) => j.status === 'Succeeded' || j.status === 'Failed'),
      })),
    })),
  };
}

export function deserialiseOrgs(saved: SavedState): OrgState[] {
  if (saved?.version !== 1 || !Array.isArray(saved.orgs)) throw new Error('unrecognised emulator state file');
  return saved.orgs.map((o) => ({
    ...o,
    role: o.role ?? FULL_ROLE,
    tables: new Map(
      o.tables.map((t) => [
        t.id,
        { ...t, rows: new Map(t.rows.map((r) => [String(r.key), r])), importJobs: t.importJobs ?? [], exportJobs: [] },
      ]),
    ),
  }));
}
