// OAuth client credentials, token lifetime and expiry, Genesys-style 401s, and two orgs side by side, all
// through the official SDK (one ApiClient per org).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/emulator.js';
import { newApiClient, sdkFor } from '../../helpers/sdk.js';
import { createSimpleTable, sdkError } from '../../helpers/emulator-fixtures.js';

let emu: RunningEmulator;
let clock = Date.parse('2026-03-01T10:00:00Z');
beforeAll(async () => {
  emu = await startEmulator({
    clients: [
      { name: 'Acme Prod', clientId: 'prod-client', clientSecret: 'prod-secret-value' },
      { name: 'Acme Dev', clientId: 'dev-client', clientSecret: 'dev-secret-value' },
    ],
    behaviour: { tokenLifetimeSeconds: 600 },
    now: () => clock,
  });
});
afterAll(async () => emu.stop());

describe('OAuth client credentials', () => {
  it('issues a bearer token through the SDK (Basic header) with the configured lifetime', async () => {
    const api = newApiClient(emu);
    const auth = (await api.loginClientCredentialsGrant('prod-client', 'prod-secret-value')) as {
      accessToken: string;
      tokenExpiryTime: number;
    };
    expect(auth.accessToken).toMatch(/^[\w-]{40,}$/);
    expect(auth.tokenExpiryTime - Date.now()).toBeGreaterThan(590_000);
    expect(auth.tokenExpiryTime - Date.now()).toBeLessThanOrEqual(600_000);
  });

  it('also accepts client_id/client_secret as form fields', async () => {
    const res = await fetch(`${emu.url}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=dev-client&client_secret=dev-secret-value',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 600 });
  });

  it('answers a bad client as Genesys does: 400 invalid_client with description and error_description', async () => {
    const api = newApiClient(emu);
    const err = (await api.loginClientCredentialsGrant('prod-client', 'wrong').catch((e: unknown) => e)) as {
      response: { status: number; data: Record<string, unknown> };
    };
    expect(err.response.status).toBe(400);
    expect(err.response.data).toEqual({
      error: 'invalid_client',
      description: 'authentication failed',
      error_description: 'authentication failed',
      contextId: expect.any(String),
    });
    const unknown = (await newApiClient(emu)
      .loginClientCredentialsGrant('nobody', 'x')
      .catch((e: unknown) => e)) as { response: { data: Record<string, unknown> } };
    expect(unknown.response.data).toMatchObject({ error: 'invalid_client', error_description: 'client not found' });
    const res = await fetch(`${emu.url}/oauth/token`, {
      method: 'POST',
      body: 'grant_type=password&client_id=dev-client&client_secret=dev-secret-value',
    });
    expect(res.status).toBe(400);
  });

  it('answers a bad client with 401 when the knob says so', async () => {
    emu.setBehaviour({ oauthErrorStatus: 401 });
    try {
      const err = (await newApiClient(emu)
        .loginClientCredentialsGrant('dev-client', 'wrong')
        .catch((e: unknown) => e)) as { response: { status: number; data: Record<string, unknown> } };
      expect(err.response.status).toBe(401);
      expect(err.response.data).toMatchObject({ error: 'invalid_client' });
    } finally {
      emu.setBehaviour({ oauthErrorStatus: 400 });
    }
  });

  it('throttles token requests per client: the 11th in a minute is 400 invalid_request "rate limit exceeded"', async () => {
    clock += 120_000; // a fresh one-minute window
    const client = emu.addClient({ name: 'Throttled', clientId: 'throttled-client', clientSecret: 'throttled-secret' });
    const login = () => newApiClient(emu).loginClientCredentialsGrant(client.clientId, client.clientSecret);
    for (let i = 0; i < 10; i++) await login();
    const err = (await login().catch((e: unknown) => e)) as {
      response: { status: number; data: Record<string, unknown> };
    };
    expect(err.response.status).toBe(400);
    expect(err.response.data).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringMatching(/^rate limit exceeded; /),
    });
    // Counted per client: another client still gets its token; and the next minute this one does too.
    await newApiClient(emu).loginClientCredentialsGrant('dev-client', 'dev-secret-value');
    clock += 60_000;
    await login();
    emu.setBehaviour({ tokenRequestsPerMinute: 0 });
    for (let i = 0; i < 12; i++) await login();
    emu.setBehaviour({ tokenRequestsPerMinute: 10 });
  });

  it('rejects missing, unknown and expired bearer tokens with Genesys 401 bodies', async () => {
    const sdk = await sdkFor(emu, emu.clients[0]!);
    expect((await sdk.architect.getFlowsDatatables()).entities).toBeDefined();
    const anonymous = new (await import('purecloud-platform-client-v2')).default.ArchitectApi(
      newApiClient(emu) as never,
    );
    const missing = await sdkError(anonymous.getFlowsDatatables());
    expect(missing).toMatchObject({ status: 401, code: 'authentication.required' });
    const unknown = newApiClient(emu);
    unknown.setAccessToken('not-a-token');
    const unknownErr = await sdkError(
      new (await import('purecloud-platform-client-v2')).default.ArchitectApi(unknown as never).getFlowsDatatables(),
    );
    expect(unknownErr).toMatchObject({ status: 401, code: 'bad.credentials' });
    clock += 601_000;
    const expired = await sdkError(sdk.architect.getFlowsDatatables());
    expect(expired).toMatchObject({
      status: 401,
      code: 'credentials.expired',
      message: expect.stringContaining('expired'),
    });
    expect(expired.contextId).toEqual(expect.any(String));
  });
});

describe('two orgs in one emulator', () => {
  it("keeps each org's tables apart, and each ApiClient sends its own token", async () => {
    const prod = await sdkFor(emu, emu.clients[0]!);
    const dev = await sdkFor(emu, emu.clients[1]!);
    expect(prod.token).not.toBe(dev.token);
    const prodTable = await createSimpleTable(prod, 'Only In Prod');
    const devTable = await createSimpleTable(dev, 'Only In Dev');
    const prodNames = (await prod.architect.getFlowsDatatables({ pageSize: 100 })).entities!.map((t) => t.name);
    const devNames = (await dev.architect.getFlowsDatatables({ pageSize: 100 })).entities!.map((t) => t.name);
    expect(prodNames).toContain('Only In Prod');
    expect(prodNames).not.toContain('Only In Dev');
    expect(devNames).toEqual(['Only In Dev']);
    expect(await sdkError(dev.architect.getFlowsDatatable(prodTable.id))).toMatchObject({ status: 404 });
    expect((await prod.organization.getOrganizationsMe()).name).toBe('Acme Prod');
    expect((await dev.organization.getOrganizationsMe()).name).toBe('Acme Dev');
    const calls = emu.requestLog.filter((e) => e.path.includes(devTable.id));
    expect(calls.every((c) => c.clientId === 'dev-client')).toBe(true);
  });
});
