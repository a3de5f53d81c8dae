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

export async function sdkFor(emu: RunningEmulator, client: EmulatorClient, opts: { extended?: boolean } = {}) {
  const api = newApiClient(emu, opts);
  const login = await api.loginClientCredentialsGrant(client.clientId, client.clientSecret);
  return {
    api,
    token: login.accessToken,
    architect: new platformClient.ArchitectApi(api as never),
    organization: new platformClient.OrganizationApi(api as never),
  };
}

export type Sdk = Awaited<ReturnType<typeof sdkFor>>;
