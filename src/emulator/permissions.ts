// Roles and divisions as Genesys applies them to a client-credentials OAuth client (genesys-datatables.md §10,
// §13): the client's role grants permissions per division. Listings show only tables in divisions where the
// client may view; anything else answers 403 missing.permissions naming the permission. Operations that
// Genesys documents as "requires ANY of" (row operations, jobs) accept the table- or the row-level permission.
import { GenesysError, errors } from './errors.js';
import type { Division, OrgState } from './store.js';

export const PERMISSIONS = [
  'architect:datatable:view',
  'architect:datatable:add',
  'architect:datatable:edit',
  'architect:datatable:delete',
  'architect:datatableRow:view',
  'architect:datatableRow:add',
  'architect:datatableRow:edit',
  'architect:datatableRow:delete',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Permission -> the divisions (names or ids) it is granted in, or '*' for every division. Absent = not granted. */
export type Role = Partial<Record<Permission, string[] | '*'>>;

/** The default: every data-table permission in every division (what the emulator did before roles existed). */
export const FULL_ROLE: Role = Object.fromEntries(PERMISSIONS.map((p) => [p, '*'])) as Role;

/** Accepts `architect:datatable:view` or the short `datatable:view`; throws on anything else. */
export function parsePermission(raw: string): Permission {
  const name = raw.trim().startsWith('architect:') ? raw.trim() : `architect:${raw.trim()}`;
  if (!(PERMISSIONS as readonly string[]).includes(name))
    throw new Error(`unknown permission "${raw}" (known: ${PERMISSIONS.join(', ')})`);
  return name as Permission;
}

/** A role of these permissions, each granted in these divisions ('*' = all). */
export function roleOf(permissions: readonly Permission[], divisions: string[] | '*'): Role {
  return Object.fromEntries(permissions.map((p) => [p, divisions])) as Role;
}

function grantedIn(role: Role, permission: Permission, division: Division): boolean {
  const where = role[permission];
  return where === '*' || (where?.some((d) => d === division.id || d === division.name) ?? false);
}

/** Division ids in which the client holds the permission. */
export function divisionsWith(org: OrgState, permission: Permission): string[] {
  return org.divisions.filter((d) => grantedIn(org.role, permission, d)).map((d) => d.id);
}

function missing(permissions: readonly Permission[], division?: Division): GenesysError {
  const list = permissions.join(', ');
  // Genesys names the permission(s) but not the division; the division is in messageParams for tests to read.
  return new GenesysError(
    403,
    permissions.length > 1 ? 'missing.any.permissions' : 'missing.permissions',
    `You are missing the following permission(s): ${list}`,
    {
      permissions: list,
      ...(division ? { division: division.name } : {}),
    },
  );
}

/**
 * Throws unless the client holds at least one of `anyOf` in the division. An object in a division where the
 * role grants nothing at all answers 403, or 404 (as if it did not exist) when `hideUngranted` is set.
 */
export function requireAny(
  org: OrgState,
  divisionId: string,
  anyOf: readonly Permission[],
  hideUngranted = false,
): void {
  const division = org.divisions.find((d) => d.id === divisionId);
  if (!division) throw missing(anyOf);
  if (anyOf.some((p) => grantedIn(org.role, p, division))) return;
  const anyGrant = PERMISSIONS.some((p) => grantedIn(org.role, p, division));
  if (!anyGrant && hideUngranted) throw errors.tableNotFound();
  throw missing(anyOf, division);
}

/** Throws unless the client holds the permission in some division (listings). */
export function requireSomewhere(org: OrgState, permission: Permission): void {
  requireAnySomewhere(org, [permission]);
}

/**
 * Throws unless the client holds one of `anyOf` in some division. For an object that does not exist (no
 * division to check in): a role without the permission anywhere is refused before the lookup, as Genesys
 * checks an operation's permission before the object (INFERRED, docs/adr/009-readiness-probes.md).
 */
export function requireAnySomewhere(org: OrgState, anyOf: readonly Permission[]): void {
  if (!anyOf.some((p) => divisionsWith(org, p).length > 0)) throw missing(anyOf);
}
