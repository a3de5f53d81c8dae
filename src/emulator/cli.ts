// `npm run emulator -- [flags]`: the Genesys Cloud emulator in the foreground. Prints its URL, the OAuth
// client's credentials, and a line containing "listening" once it accepts requests. Ctrl+C stops it.
import { parseArgs } from 'node:util';
import { startEmulator, type StartEmulatorOptions } from './emulator.js';
import type { FaultRule } from './faults.js';
import type { EmulatorBehaviour, EmulatorLimits } from './options.js';

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
  --fault JSON             a scripted fault rule, repeatable, e.g.
                           '{"method":"PUT","path":"/api/v2/flows/datatables/*/rows/*","nth":3,"action":{"type":"status","status":503}}'
                           actions: {"type":"status","status":500|503|504|429,"retryAfterSeconds":N} {"type":"hang","ms":N} {"type":"reset"}
  --help                   show this help
`;

function int(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new Error(`--${name} must be a whole number >= ${min} (got "${value}")`);
  return Number(value);
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new Error(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

const definedOnly = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

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
  const behaviour: Partial<EmulatorBehaviour> = definedOnly({
    rateLimitPerMinute: int('rate-limit', values['rate-limit'], 1),
    latencyMs: int('latency', values.latency),
    latencyJitterMs: int('jitter', values.jitter),
    tokenLifetimeSeconds: int('token-lifetime', values['token-lifetime'], 1),
    maxPageSize: int('max-page-size', values['max-page-size'], 1),
    pageSizeOverCap: oneOf('page-size-over-cap', values['page-size-over-cap'], ['reject', 'clamp'] as const),
    putUnknownRow: oneOf('put-unknown-row', values['put-unknown-row'], ['not-found', 'upsert'] as const),
    jobDelayMs: int('job-delay', values['job-delay']),
  });
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
  if ((clientId === undefined) !== (clientSecret === undefined)) throw new Error('--client-id and --client-secret go together');
  return {
    host: values.host ?? '127.0.0.1',
    port: int('port', values.port) ?? 9100,
    seed,
    limits,
    behaviour,
    faults,
    persistFile: values.persist,
    ...(clientId && clientSecret ? { clients: [{ name: values['org-name'] ?? 'Sandbox', clientId, clientSecret }] } : {}),
  };
}

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
      `  SDK:           client.setGateway({ host: '${emu.host}', protocol: 'http', port: ${emu.port} })`,
      `listening on ${emu.url}`,
    ].join('\n'),
  );
  const stop = () => void emu.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
