// A GatewayRegistry wired to an emulator, the way the app wires it (one ApiClient + queue per org).
import {
  startEmulator,
  type EmulatorClient,
  type RunningEmulator,
  type StartEmulatorOptions,
} from '../../src/emulator/emulator.js';
import { GatewayRegistry, type GatewaySettings } from '../../src/genesys/gateway-registry.js';
import type { OrgConnection, OrgToken } from '../../src/genesys/org-api-client.js';
import { systemClock } from '../../src/lib/clock.js';
import { profileEmulatorOptions, profileGatewayTime } from './emulator-profile.js';

export function connectionFor(
  emu: RunningEmulator,
  client: EmulatorClient,
  extra: Partial<OrgConnection> = {},
): OrgConnection {
  return {
    cacheKey: `${client.clientId}|${client.clientSecret}`,
    label: client.orgName,
    region: 'us_east_1',
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    requestsPerMinute: 300,
    ...extra,
  };
}

// Genesys throttles token requests per OAuth client (the emulator: 10 a minute), so registries made for one
// emulator share their tokens, as the app's single registry does across its lifetime.
const sharedTokens = new WeakMap<RunningEmulator, Map<string, OrgToken>>();

/** A registry on the emulator; `freshTokens` for tests that count logins. */
export function registryFor(
  emu: RunningEmulator,
  settings: Partial<GatewaySettings> & { freshTokens?: boolean } = {},
): GatewayRegistry {
  let tokens = sharedTokens.get(emu);
  if (!tokens) sharedTokens.set(emu, (tokens = new Map()));
  const { freshTokens, ...rest } = settings;
  return new GatewayRegistry({
    sharedTokens: freshTokens ? new Map() : tokens,
    clock: systemClock,
    timeoutMs: 2_000,
    concurrency: 4,
    jobPollIntervalMs: 20,
    jobTimeoutMs: 10_000,
    apiOverride: { host: '127.0.0.1', port: emu.port, protocol: 'http' },
    budgets: {
      interactive: { minTimeoutMs: 20, maxTimeoutMs: 100 },
      background: { minTimeoutMs: 20, maxTimeoutMs: 200 },
    },
    ...profileGatewayTime(),
    ...rest,
  });
}

/** Two orgs with the demo tables, on the emulator profile of this test run (emulator-profile.ts). */
export async function emulatorWithTwoOrgs(opts: StartEmulatorOptions = {}) {
  return startEmulator({
    ...profileEmulatorOptions(),
    clients: [
      { name: 'Org A', clientId: 'client-a', clientSecret: 'secret-a' },
      { name: 'Org B', clientId: 'client-b', clientSecret: 'secret-b' },
    ],
    seed: 'demo',
    ...opts,
  });
}

export const apiCalls = (emu: RunningEmulator, clientId?: string) =>
  emu.requestLog.filter((e) => e.path.startsWith('/api/') && (clientId === undefined || e.clientId === clientId));
export const tokenCalls = (emu: RunningEmulator) => emu.requestLog.filter((e) => e.path === '/oauth/token');
