// Genesys' 403s in plain words (genesys-datatables.md §13): `missing.permissions` / `missing.any.permissions`
// name the permission(s) in their message but never the division, and a role grants permissions per division.
// The mapper reads the names; the gateway, which knows which table it was working on, adds the division.
import { GenesysAuthError } from './errors.js';

const PERMISSION_NAME = /\b[a-z]+:[A-Za-z]+:[A-Za-z]+\b/g;

/** The permission names a 403 body carries (message text or messageParams), without repeats. */
export function permissionsNamedIn(body: unknown): string[] {
  if (!body || typeof body !== 'object') return [];
  const { message, messageParams } = body as { message?: unknown; messageParams?: Record<string, unknown> };
  const texts = [message, ...Object.values(messageParams ?? {})].filter((t): t is string => typeof t === 'string');
  return [...new Set(texts.flatMap((t) => t.match(PERMISSION_NAME) ?? []))];
}

const listed = (permissions: string[]) =>
  permissions.length > 1 ? `${permissions.slice(0, -1).join(', ')} or ${permissions.at(-1)!}` : permissions[0]!;

/**
 * What to tell a person about a 403. `division` is the division of the table concerned (a name) when known;
 * `unseenTable` says the table itself cannot be seen, i.e. it is in a division the role does not cover.
 */
export function missingPermissionMessage(
  permissions: string[],
  where: { division?: string; unseenTable?: boolean } = {},
): string {
  const inDivision = where.division ? ` in division ${where.division}` : '';
  if (where.unseenTable) {
    const lacks = permissions.length ? ` (it lacks ${listed(permissions)} there)` : '';
    const division = where.division ? `division ${where.division}, which` : 'a division';
    return `This table is in ${division} the Genesys OAuth client's role does not cover${lacks}. Add that division to the client's role, with the data table permissions, in Genesys Cloud (Admin > Roles / Permissions).`;
  }
  if (!permissions.length)
    return `The Genesys OAuth client is not allowed to do this${inDivision}; check its role and the divisions the role is granted in Genesys Cloud (Admin > Roles / Permissions).`;
  if (permissions.length === 1)
    return `The Genesys OAuth client lacks ${permissions[0]!}${inDivision}; add it to the client's role${where.division ? ' in that division' : ''}.`;
  return `The Genesys OAuth client lacks ${listed(permissions)}${inDivision} (either one is enough); add one of them to the client's role${where.division ? ' in that division' : ''}.`;
}

/** The same 403, re-worded now that the division (or that the table cannot be seen at all) is known. */
export function withDivision(
  err: GenesysAuthError,
  where: { division?: string; unseenTable?: boolean },
): GenesysAuthError {
  const named = new GenesysAuthError(
    missingPermissionMessage(err.permissions, where),
    'missing-permissions',
    err.permissions,
  );
  named.correlationId = err.correlationId;
  named.genesysCode = err.genesysCode;
  return named;
}
