// `npm run emulator -- [flags]`: the Genesys Cloud emulator in the foreground. Prints its URL, the OAuth
// client's credentials, and a line containing "listening" once it accepts requests. Ctrl+C stops it.
import { parseArgs } from 'node:util';
import { startEmulator, type StartEmulatorOptions } from './emulator.js';
import type { FaultRule } from './faults.js';
import type { EmulatorBehaviour, EmulatorLimits } from './options.js';
import { parsePermission, PERMISSIONS, roleOf, type Role } from './permissions.js';
import { PROFILE_NAMES } from './profiles.js';

const HELP = `Genesys Cloud emulator (Data Tables API, OAuth client credentials) for the official SDK.

Usage: npm run emulator -- [options]

  --port N                 port on 127.0.0.1 (default 9100; 0 = any free port)
  --host ADDR              address to listen on (default 127.0.0.1)
  --seed demo|none         demo = contact-centre tables (holidays, hours, flags, queues, 2,000 VIPs) (default demo)
  --client-id ID           OAuth client id of the org (default: generated)
  --client-secret SECRET   OAuth client secret (default: generated)
  --org-name NAME          organization name (default "Sandbox")
  --persist FILE           keep the state in a JSON file across restarts
  --rate-limit N           requests per minute per token (default 300)
  --latency MS             fixed latency added to every request (default 0)
  --jitter MS              random extra latency up to MS (default 0)
  --token-lifetime S       access-token lifetime in seconds (default 86399)
  --max-rows N             rows per table (default 5000)
  --max-tables N           tables per org (default 200)
  --max-fields N           fields per table, key included (default 50)
  --max-key-length N       characters in a row key (default 256)
  --max-body-bytes N       request body limit (default 512000)
  --max-page-size N        largest pageSize accepted (default 500)
  --page-size-over-cap reject|clamp   pageSize above the cap: 400 or clamp (default reject)
  --put-unknown-row not-found|upsert  PUT of a missing row (default not-found)
  --job-delay MS           time import/export jobs stay Processing (default 50)

 Strictness (README "Emulator knobs" gives the source of each, or marks it UNCONFIRMED):
  --profile default|realistic         realistic = all of the below at once: role in Home only without
                                      architect:datatable:delete, --visibility-delay 3000,
                                      --update-visibility lagging,
                                      --max-response-bytes 64000, --token-requests 10, --normalise-values on
  --oauth-error-status 400|401        status of a token request with a bad client id/secret (default 400)
  --token-requests N       token requests per client per minute, then 400 "rate limit exceeded" (default 10; 0 = no limit)
  --permissions LIST       the client's role: comma-separated permissions (default all eight:
                           architect:datatable:view|add|edit|delete, architect:datatableRow:view|add|edit|delete;
                           the "architect:" prefix may be left out)
  --divisions LIST         divisions (names or ids) the role's permissions are granted in (default all: Home, Customer Care)
  --grant PERM=DIVS        one permission in comma-separated divisions ("*" = all); repeatable; replaces
                           --permissions/--divisions, e.g. --grant datatable:view=* --grant datatableRow:edit=Home
  --ungranted-division forbidden|not-found   a table in a division the role has no grant in: 403 or 404 (default forbidden)
  --visibility-delay MS    reads lag writes: a new table/row stays invisible, a deleted one lingers (default 0)
  --update-visibility immediate|lagging   an updated row: reads show the new values at once, or the previous
                           ones for the visibility delay (default immediate; UNCONFIRMED)
  --max-response-bytes N   400 response.entity.too.large for a GET body over N bytes (default 0 = no cap)
  --upload-content-type T  Content-Type an import's uploadHeaders demand (default text/csv; "" = none)
  --normalise-values on|off           trim trailing spaces of string fields on write, answer numbers as 1.0 (default off)
  --fault JSON             a scripted fault rule, repeatable, e.g.
                           '{"method":"PUT","path":"/api/v2/flows/datatables/*/rows/*","nth":3,"action":{"type":"status","status":503}}'
                           actions: {"type":"status","status":500|503|504|429,"retryAfterSeconds":N} {"type":"hang","ms":N} {"type":"reset"}
  --help                   show this help
`;

function int(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new Error(`--${name} must be a whole number >= ${min} (got "${value}")`);
  return Number(value);
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new Error(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

const definedOnly = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const list = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function parseRole(
  permissions: string | undefined,
  divisions: string | undefined,
  grants: string[] | undefined,
): Role | undefined {
  const named = (raw: string) => {
    try {
      return parsePermission(raw);
    } catch (err) {
      throw new Error(`--permissions/--grant: ${(err as Error).message}`, { cause: err });
    }
  };
  if (grants?.length) {
    if (permissions !== undefined || divisions !== undefined)
      throw new Error('--grant replaces --permissions and --divisions: use one or the other');
    const role: Role = {};
    for (const grant of grants) {
      const eq = grant.indexOf('=');
      if (eq < 1) throw new Error(`--grant must be PERMISSION=DIVISIONS (got "${grant}")`);
      const where = grant.slice(eq + 1).trim();
      role[named(grant.slice(0, eq))] = where === '*' ? '*' : list(where);
    }
    return role;
  }
  if (permissions === undefined && divisions === undefined) return undefined;
  const perms = permissions === undefined ? PERMISSIONS : list(permissions).map(named);
  return roleOf(perms, divisions === undefined || divisions.trim() === '*' ? '*' : list(divisions));
}

export function parseCli(argv: string[]): StartEmulatorOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'org-name': { type: 'string' },
      persist: { type: 'string' },
      'rate-limit': { type: 'string' },
      latency: { type: 'string' },
      jitter: { type: 'string' },
      'token-lifetime': { type: 'string' },
      'max-rows': { type: 'string' },
      'max-tables': { type: 'string' },
      'max-fields': { type: 'string' },
      'max-key-length': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'max-page-size': { type: 'string' },
      'page-size-over-cap': { type: 'string' },
      'put-unknown-row': { type: 'string' },
      'job-delay': { type: 'string' },
      fault: { type: 'string', multiple: true },
      profile: { type: 'string' },
      'oauth-error-status': { type: 'string' },
      'token-requests': { type: 'string' },
      permissions: { type: 'string' },
      divisions: { type: 'string' },
      grant: { type: 'string', multiple: true },
      'ungranted-division': { type: 'string' },
      'visibility-delay': { type: 'string' },
      'update-visibility': { type: 'string' },
      'max-response-bytes': { type: 'string' },
      'upload-content-type': { type: 'string' },
      'normalise-values': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const limits: Partial<EmulatorLimits> = definedOnly({
    maxRowsPerTable: int('max-rows', values['max-rows'], 1),
    maxTablesPerOrg: int('max-tables', values['max-tables'], 1),
    maxFields: int('max-fields', values['max-fields'], 1),
    maxKeyLength: int('max-key-length', values['max-key-length'], 1),
    maxBodyBytes: int('max-body-bytes', values['max-body-bytes'], 1),
  });
  const oauthStatus = oneOf('oauth-error-status', values['oauth-error-status'], ['400', '401'] as const);
  const behaviour: Partial<EmulatorBehaviour> = definedOnly({
    rateLimitPerMinute: int('rate-limit', values['rate-limit'], 1),
    latencyMs: int('latency', values.latency),
    latencyJitterMs: int('jitter', values.jitter),
    tokenLifetimeSeconds: int('token-lifetime', values['token-lifetime'], 1),
    maxPageSize: int('max-page-size', values['max-page-size'], 1),
    pageSizeOverCap: oneOf('page-size-over-cap', values['page-size-over-cap'], ['reject', 'clamp'] as const),
    putUnknownRow: oneOf('put-unknown-row', values['put-unknown-row'], ['not-found', 'upsert'] as const),
    jobDelayMs: int('job-delay', values['job-delay']),
    oauthErrorStatus: oauthStatus && (Number(oauthStatus) as 400 | 401),
    tokenRequestsPerMinute: int('token-requests', values['token-requests']),
    ungrantedDivision: oneOf('ungranted-division', values['ungranted-division'], ['forbidden', 'not-found'] as const),
    visibilityDelayMs: int('visibility-delay', values['visibility-delay']),
    updateVisibility: oneOf('update-visibility', values['update-visibility'], ['immediate', 'lagging'] as const),
    maxResponseBytes: int('max-response-bytes', values['max-response-bytes']),
    uploadContentType: values['upload-content-type'],
    normaliseValues:
      values['normalise-values'] === undefined
        ? undefined
        : oneOf('normalise-values', values['normalise-values'], ['on', 'off'] as const) === 'on',
  });
  const role = parseRole(values.permissions, values.divisions, values.grant);
  const profile = oneOf('profile', values.profile, PROFILE_NAMES);
  const seed = oneOf('seed', values.seed, ['demo', 'none'] as const) ?? 'demo';
  const faults = (values.fault ?? []).map((json) => {
    try {
      return JSON.parse(json) as FaultRule;
    } catch {
      throw new Error(`--fault must be a JSON rule (got ${json})`);
    }
  });
  const clientId = values['client-id'];
  const clientSecret = values['client-secret'];
  if ((clientId === undefined) !== (clientSecret === undefined))
    throw new Error('--client-id and --client-secret go together');
  return {
    host: values.host ?? '127.0.0.1',
    port: int('port', values.port) ?? 9100,
    seed,
    limits,
    behaviour,
    faults,
    ...(profile ? { profile } : {}),
    ...(role ? { role } : {}),
    persistFile: values.persist,
    ...(clientId && clientSecret
      ? { clients: [{ name: values['org-name'] ?? 'Sandbox', clientId, clientSecret }] }
      : {}),
  };
}

const describeRole = (role: Role) =>
  PERMISSIONS.map(
    (p) =>
      `${p.replace('architect:', '')}@${role[p] === undefined ? 'nowhere' : role[p] === '*' ? 'all' : (role[p] as string[]).join('+')}`,
  ).join(' ');

async function main(): Promise<void> {
  let options: StartEmulatorOptions | 'help';
  try {
    options = parseCli(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(HELP);
    return;
  }
  const emu = await startEmulator(options);
  const c = emu.clients[0]!;
  // One write, "listening" last: scripts that wait for that line can rely on the credentials being there.
  console.log(
    [
      `Genesys Cloud emulator on ${emu.url}`,
      `  org:           ${c.orgName} (${c.orgId})`,
      `  client id:     ${c.clientId}`,
      `  client secret: ${c.clientSecret}`,
      `  role:          ${describeRole(emu.orgs[0]!.role)}`,
      `  SDK:           client.setGateway({ host: '${emu.host}', protocol: 'http', port: ${emu.port} })`,
      `listening on ${emu.url}`,
    ].join('\n'),
  );
  const stop = () => void emu.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
