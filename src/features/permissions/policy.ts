// The one place that answers "may this actor …?". Routes keep their coarse access level (ADR 010: public,
// signed-in, admin) and services ask this module for everything finer. Comparing a role anywhere else is an
// ESLint error (eslint.config.js), so a second copy of a rule cannot grow beside this one. Rights on a table
// and its columns are decided by access.ts (the one column rule); this module says whose grants apply.
import type { Role } from '../../db/generated/client.js';
import type { TableSchema } from '../../genesys/gateway.js';
import { NO_RIGHTS, resolveAccess, type StoredRights, type TableAccess } from './access.js';

/** Anyone who acts: a signed-in user (`id`) or an Actor (`userId`); both carry the role. */
export type Principal = { role: Role } & ({ id: number } | { userId: number });

/** A record someone owns (a job, a backup): `null` for the app's own (scheduled) records. */
export interface Owned {
  ownerId: number | null;
}

const idOf = (p: Principal): number => ('userId' in p ? p.userId : p.id);
const isAdministrator = (p: { role: Role }): boolean => p.role === 'ADMIN';
const owns = (p: Principal, record: Owned): boolean => record.ownerId !== null && record.ownerId === idOf(p);

// --- Administration -------------------------------------------------------------------------------------

/** The pages behind RouteTable's coarse 'admin' level: users, orgs, setup, settings. */
export const mayAdminister = (p: { role: Role }): boolean => isAdministrator(p);

/** Creating, editing, disabling and deleting accounts, and granting rights. */
export const mayManageUsers = (p: { role: Role }): boolean => isAdministrator(p);

/** Setting whether a table's changes apply at once or need approval (an org's default is on the org form). */
export const mayManageChangePolicies = (p: { role: Role }): boolean => isAdministrator(p);

/** Giving a table's columns a format (date, list, pattern…) that every written value is checked against. */
export const mayManageColumnFormats = (p: { role: Role }): boolean => isAdministrator(p);

/** Whether this account's table rights come from grants (admins have every right and are never granted). */
export const needsTableGrants = (p: { role: Role }): boolean => !isAdministrator(p);

/** The readiness report's point of view: what the app's Genesys client can do for this person. */
export const readinessViewOf = (p: { role: Role }): 'admin' | 'user' => (isAdministrator(p) ? 'admin' : 'user');

/**
 * The answers the page templates need (as `may` in every view), so a template never compares a role either:
 * which links the navigation shows, which options a form offers, which sentence explains what one sees.
 */
export function viewAnswers(p: { role: Role } | undefined) {
  const known = p ?? { role: 'USER' as const };
  return {
    administer: mayAdminister(known),
    createTables: mayCreateTables(known),
    seeWholeAuditLog: maySeeWholeAuditLog(known),
    restoreVisibleColumnsOnly: restoresVisibleColumnsOnly(known),
    managePlaybooks: mayManagePlaybooks(known),
    manageColumnFormats: mayManageColumnFormats(known),
  };
}

// --- Tables ---------------------------------------------------------------------------------------------

/**
 * The rights `p` has on one table, from their stored grant: `null` for an administrator (everything, the
 * convention of access.ts `columnAccess`), else the grant or none at all (deny by default).
 */
export function rightsOf(p: { role: Role }, stored: StoredRights | null | undefined): StoredRights | null {
  return isAdministrator(p) ? null : (stored ?? NO_RIGHTS);
}

/** What `p` may do with a table and each of its columns (capped by the org's read-only flag). */
export function tableAccess(
  p: { role: Role },
  opts: { orgReadOnly: boolean; orgName: string; stored: StoredRights | null | undefined; schema: TableSchema },
): TableAccess {
  return resolveAccess({
    isAdmin: isAdministrator(p),
    orgReadOnly: opts.orgReadOnly,
    orgName: opts.orgName,
    rights: rightsOf(p, opts.stored),
    schema: opts.schema,
  });
}

/** Writing directly to a table whose changes need approval (administrators; audited like any write). */
export const mayBypassApproval = (p: { role: Role }): boolean => isAdministrator(p);

/** Approving change requests on a table (never one's own: the request service checks the author). */
export const mayApproveOn = (access: TableAccess): boolean => access.canApprove;

/** Running a playbook that writes to a table (none in a read-only org: access.ts caps it). */
export const mayRunPlaybooksOn = (access: TableAccess): boolean => access.canRunPlaybooks;

/** Creating a table in Genesys (a restore of a table the org lacks). */
export const mayCreateTables = (p: { role: Role }): boolean => isAdministrator(p);

/** Restoring only the columns one may see (a user's restore leaves hidden columns as they are). */
export const restoresVisibleColumnsOnly = (p: { role: Role }): boolean => !isAdministrator(p);

// --- Audit ----------------------------------------------------------------------------------------------

/** The whole audit log (users, rights, sign-ins, every table), whole entries, filtered by any person. */
export const maySeeWholeAuditLog = (p: { role: Role }): boolean => isAdministrator(p);

/** Undoing a change over later changes to the same row (they would be overwritten). */
export const mayForceUndo = (p: { role: Role }): boolean => isAdministrator(p);

// --- Backups and jobs -----------------------------------------------------------------------------------

/** Restoring from, or uploading, a backup file this server did not seal (its contents are unchecked). */
export const mayRestoreForeign = (p: { role: Role }): boolean => isAdministrator(p);

/** Seeing a backup: admins all, users their own. */
export const maySeeBackup = (p: Principal, backup: Owned): boolean => isAdministrator(p) || owns(p, backup);

/** Deleting a backup: admins any; users the files they uploaded (never the app's own backups). */
export const mayDeleteBackup = (p: Principal, backup: Owned & { kind: string }): boolean =>
  isAdministrator(p) || (owns(p, backup) && backup.kind === 'uploaded');

/** Seeing (and cancelling) a job: admins all, users their own (R8). */
export const maySeeJob = (p: Principal, job: Owned): boolean => isAdministrator(p) || owns(p, job);

/** Whether lists of jobs and backups show `p` everyone's (with who made each), not only their own. */
export const seesEveryonesRecords = (p: { role: Role }): boolean => isAdministrator(p);

/** Whose records (jobs, backups) a list shows `p`: `undefined` for everyone's, else `p`'s own id. */
export const listedOwner = (p: Principal): number | undefined => (seesEveryonesRecords(p) ? undefined : idOf(p));

// --- Playbooks ------------------------------------------------------------------------------------------

/** Creating, editing and archiving playbooks (what a run writes is theirs to define, then approved). */
export const mayManagePlaybooks = (p: { role: Role }): boolean => isAdministrator(p);

/**
 * Whether a run-playbooks grant covers every table of a playbook: `rights` are `p`'s rights on each of its
 * tables (rightsOf: null for an administrator). A playbook that writes nothing yet is no user's to see.
 */
const runsEvery = (p: { role: Role }, rights: (StoredRights | null)[]): boolean =>
  isAdministrator(p) || (rights.length > 0 && rights.every((r) => r !== null && r.canView && r.canRunPlaybooks));

/** Seeing a playbook: administrators, and people who may run playbooks on every table it writes. */
export const maySeePlaybook = (p: { role: Role }, rights: (StoredRights | null)[]): boolean => runsEvery(p, rights);

/**
 * Running a playbook (without the edit right): the run-playbooks right on every table it writes, in an org
 * that is not read-only. The change engine checks the same right again for each row it writes.
 */
export const mayRunPlaybook = (
  p: { role: Role },
  org: { readOnly: boolean },
  rights: (StoredRights | null)[],
): boolean => !org.readOnly && rights.length > 0 && runsEvery(p, rights);
