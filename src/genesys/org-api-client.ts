// One official-SDK ApiClient per org (never the SDK's shared singleton), with config-file live reload off and
// extended responses on (so 429's Retry-After is visible). Tokens are cached and renewed shortly before they
// expire, with a single renewal in flight however many calls need it; a 401 on a call drops the token and
// retries that call once after a fresh login.
import { createRequire } from 'node:module';
import type platformClientModule from 'purecloud-platform-client-v2';
import type { Clock } from '../lib/clock.js';
import type { Redactor } from '../lib/redact.js';
import { GenesysAuthError } from './errors.js';
import { serialiseBody } from './json-body.js';
import { assertAddressableParams } from './path-segments.js';
import { REGION_HOSTS, SANDBOX_REGION } from './regions.js';
import { toGenesysError } from './sdk-errors.js';

export interface OrgConnection {
  /** Stable identity of these settings: a changed key means "credentials changed", so caches are dropped. */
  cacheKey: string;
  label: string;
  region: string;
  clientId: string;
  clientSecret: string;
  /** Only for the sandbox org: the in-process emulator's loopback address. */
  sandboxPort?: number;
  requestsPerMinute: number;
}

interface SdkApiClient {
  config: { live_reload_config: boolean };
  timeout: number;
  setEnvironment(env: string): void;
  setGateway(g: { host: string; protocol: string; port: number }): void;
  setReturnExtendedResponses(v: boolean): void;
  loginClientCredentialsGrant(id: string, secret: string): Promise<{ accessToken: string; tokenExpiryTime: number }>;
  buildUrl(path: string, pathParams: Record<string, unknown>): string;
  callApi(...args: unknown[]): Promise<unknown>;
  setAccessToken(token: string): void;
}

export interface OrgToken {
  value: string;
  obtainedAt: number;
  expiresAt: number;
}

export type ArchitectApi = InstanceType<typeof platformClientModule.ArchitectApi>;
export type OrganizationApi = InstanceType<typeof platformClientModule.OrganizationApi>;

// The SDK is large: it is loaded on the first Genesys call, not at start-up.
const require = createRequire(import.meta.url);
let sdk: typeof platformClientModule | undefined;
function loadSdk(): typeof platformClientModule {
  sdk ??= require('purecloud-platform-client-v2') as typeof platformClientModule;
  return sdk;
}

export interface ApiOverride {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}

export interface ApiClientDeps {
  clock: Clock;
  redactor?: Redactor;
  timeoutMs: number;
  /** Development and tests only (GENESYS_API_OVERRIDE): send every region's traffic to this emulator. */
  apiOverride?: ApiOverride;
  /**
   * Tokens by connection cacheKey, shared with other clients of the same connection. Genesys allows only a few
   * token requests per OAuth client a minute; tests that build many registries share one. Default: per client.
   */
  sharedTokens?: Map<string, OrgToken>;
}

/** Position of `bodyParam` in the SDK's ApiClient.callApi(path, method, pathParams, query, headers, form, body, …). */
const BODY_PARAM = 6;

export class OrgApiClient {
  readonly architect: ArchitectApi;
  readonly organization: OrganizationApi;
  /** Token requests made so far (tests check single-flight renewal). */
  logins = 0;
  private readonly api: SdkApiClient;
  private readonly tokens: Map<string, OrgToken>;
  /** The token last handed to the SDK client (a shared one may have been renewed by another client). */
  private applied?: string;
  private renewing?: Promise<void>;

  constructor(
    readonly conn: OrgConnection,
    private readonly deps: ApiClientDeps,
  ) {
    this.tokens = deps.sharedTokens ?? new Map();
    const platformClient = loadSdk();
    const ApiClientClass = (platformClient as unknown as { ApiClientClass: new () => SdkApiClient }).ApiClientClass;
    this.api = new ApiClientClass();
    this.api.config.live_reload_config = false;
    this.api.timeout = deps.timeoutMs;
    // Every SDK call builds its URL here: no path parameter may be a dot segment or empty (path-segments.ts).
    const buildUrl = this.api.buildUrl.bind(this.api);
    this.api.buildUrl = (path, pathParams) => {
      assertAddressableParams(pathParams);
      return buildUrl(path, pathParams);
    };
    // Every SDK call passes its body here: sent as JSON text so no column name is lost on the way (json-body.ts).
    const callApi = this.api.callApi.bind(this.api);
    this.api.callApi = (...args: unknown[]) => {
      args[BODY_PARAM] = serialiseBody(args[BODY_PARAM]);
      return callApi(...args);
    };
    if (conn.region === SANDBOX_REGION) {
      if (!conn.sandboxPort) throw new Error('The sandbox org needs the emulator port');
      this.api.setGateway({ host: '127.0.0.1', protocol: 'http', port: conn.sandboxPort });
    } else {
      const host = REGION_HOSTS[conn.region];
      if (!host) throw new Error(`Unknown Genesys region ${conn.region}`);
      if (deps.apiOverride) this.api.setGateway(deps.apiOverride);
      else this.api.setEnvironment(host);
    }
    this.api.setReturnExtendedResponses(true);
    this.architect = new platformClient.ArchitectApi(this.api as never);
    this.organization = new platformClient.OrganizationApi(this.api as never);
  }

  /** The loopback emulator this client talks to (sandbox or GENESYS_API_OVERRIDE), whose http transfer URIs are trusted. */
  get localEmulatorOrigin(): string | undefined {
    if (this.conn.region === SANDBOX_REGION) return `http://127.0.0.1:${this.conn.sandboxPort}`;
    const o = this.deps.apiOverride;
    return o ? `${o.protocol}://${o.host}:${o.port}` : undefined;
  }

  private get token(): OrgToken | undefined {
    return this.tokens.get(this.conn.cacheKey);
  }

  private set token(token: OrgToken | undefined) {
    if (token) this.tokens.set(this.conn.cacheKey, token);
    else this.tokens.delete(this.conn.cacheKey);
  }

  private needsRenewal(): boolean {
    if (!this.token) return true;
    const lifetime = this.token.expiresAt - this.token.obtainedAt;
    const margin = Math.min(5 * 60_000, lifetime * 0.1);
    return this.deps.clock.now() >= this.token.expiresAt - margin;
  }

  async ensureToken(): Promise<void> {
    if (this.needsRenewal()) {
      this.renewing ??= this.login().finally(() => {
        this.renewing = undefined;
      });
      await this.renewing;
    }
    if (this.token && this.applied !== this.token.value) this.api.setAccessToken(this.token.value);
    this.applied = this.token?.value;
  }

  private async login(): Promise<void> {
    this.logins++;
    try {
      const obtainedAt = this.deps.clock.now();
      const auth = await this.api.loginClientCredentialsGrant(this.conn.clientId, this.conn.clientSecret);
      this.deps.redactor?.addSecret(auth.accessToken);
      const lifetimeMs = Math.max(1000, auth.tokenExpiryTime - Date.now());
      this.token = { value: auth.accessToken, obtainedAt, expiresAt: obtainedAt + lifetimeMs };
    } catch (err) {
      this.token = undefined;
      throw toGenesysError(err, 'login');
    }
  }

  /** Runs one SDK call (with extended responses) and returns its body; errors come back typed. */
  async call<T>(fn: () => Promise<unknown>): Promise<T> {
    await this.ensureToken();
    try {
      return ((await fn()) as { body: T }).body;
    } catch (err) {
      const mapped = toGenesysError(err);
      if (!(mapped instanceof GenesysAuthError) || mapped.reason !== 'token-rejected') throw mapped;
      this.token = undefined; // revoked or expired early: one fresh login, one retry
      await this.ensureToken();
      try {
        return ((await fn()) as { body: T }).body;
      } catch (retryErr) {
        throw toGenesysError(retryErr);
      }
    }
  }
}
