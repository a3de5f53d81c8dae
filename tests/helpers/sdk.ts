// The official Genesys SDK pointed at an emulator: one independent ApiClient per org (never the SDK's shared
// singleton), with the SDK's config-file live reload turned off.
import platformClient from 'purecloud-platform-client-v2';
import type { EmulatorClient, RunningEmulator } from '../../src/emulator/emulator.js';

type ApiClient = {
  config: { live_reload_config: boolean };
  setGateway(g: { host: string; protocol: string; port: number }): void;
  setReturnExtendedResponses(v: boolean): void;
  loginClientCredentialsGrant(id: string, secret: string): Promise<{ accessToken: string }>;
  setAccessToken(token: string): void;
};

export function newApiClient(emu: RunningEmulator, opts: { extended?: boolean } = {}): ApiClient {
  const ApiClientClass = (platformClient as unknown as { ApiClientClass: new () => ApiClient }).ApiClientClass;
  const client = new ApiClientClass();
  client.config.live_reload_config = false;
  client.setGateway({ host: '127.0.0.1', protocol: 'http', port: emu.port });
  if (opts.extended) client.setReturnExtendedResponses(true);
  return client;
}

// Genesys throttles token requests per client (the emulator: 10 a minute by default), so tests share one token
// per emulator and client while the emulator still accepts it, as the product does.
const sharedTokens = new Map<string, string>();

async function tokenFor(emu: RunningEmulator, client: EmulatorClient, api: ApiClient, fresh: boolean): Promise<string> {
  const cacheKey = `${emu.port}|${client.clientId}|${client.clientSecret}`;
  const shared = sharedTokens.get(cacheKey);
  if (!fresh && shared && emu.acceptsToken(shared)) {
    api.setAccessToken(shared);
    return shared;
  }
  const { accessToken } = await api.loginClientCredentialsGrant(client.clientId, client.clientSecret);
  sharedTokens.set(cacheKey, accessToken);
  return accessToken;
}

/** An SDK client logged in as `client`; `fresh` asks for a new token instead of the shared one. */
export async function sdkFor(
  emu: RunningEmulator,
  client: EmulatorClient,
  opts: { extended?: boolean; fresh?: boolean } = {},
) {
  const api = newApiClient(emu, opts);
  const token = await tokenFor(emu, client, api, opts.fresh ?? false);
  return {
    api,
    token,
    architect: new platformClient.ArchitectApi(api as never),
    organization: new platformClient.OrganizationApi(api as never),
  };
}

export type Sdk = Awaited<ReturnType<typeof sdkFor>>;
