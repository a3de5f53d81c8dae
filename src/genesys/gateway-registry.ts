// One ApiClient, request queue and gateway per org, created on first use and replaced when the org's
// settings change (a new cacheKey drops the old token cache and queue).
import type { Clock } from '../lib/clock.js';
import type { Redactor } from '../lib/redact.js';
import type { DataTableGateway } from './gateway.js';
import { OrgApiClient, type ApiOverride, type OrgConnection, type OrgToken } from './org-api-client.js';
import { OrgRequestQueue, type CallMode, type RetryBudget } from './request-queue.js';
import { SdkDataTableGateway } from './sdk-gateway.js';

export interface GatewaySettings {
  clock: Clock;
  redactor?: Redactor;
  /** Per-request timeout (the SDK's own default is 16 s). */
  timeoutMs: number;
  /** Requests in flight per org. */
  concurrency: number;
  jobPollIntervalMs: number;
  jobTimeoutMs: number;
  budgets?: Partial<Record<CallMode, Partial<RetryBudget>>>;
  apiOverride?: ApiOverride;
  /** See ApiClientDeps.sharedTokens. */
  sharedTokens?: Map<string, OrgToken>;
}

export interface OrgGatewayEntry {
  cacheKey: string;
  client: OrgApiClient;
  queue: OrgRequestQueue;
  gateway: DataTableGateway;
}

export class GatewayRegistry {
  private readonly entries = new Map<string, OrgGatewayEntry>();

  constructor(private readonly settings: GatewaySettings) {}

  /** The gateway for an org's current settings. */
  for(orgId: string, conn: OrgConnection): OrgGatewayEntry {
    const existing = this.entries.get(orgId);
    if (existing?.cacheKey === conn.cacheKey) return existing;
    existing?.queue.close();
    const client = new OrgApiClient(conn, { clock: this.settings.clock, redactor: this.settings.redactor, timeoutMs: this.settings.timeoutMs, apiOverride: this.settings.apiOverride, sharedTokens: this.settings.sharedTokens });
    const queue = new OrgRequestQueue({ requestsPerMinute: conn.requestsPerMinute, concurrency: this.settings.concurrency, budgets: this.settings.budgets });
    const gateway = new SdkDataTableGateway(client, queue, { jobPollIntervalMs: this.settings.jobPollIntervalMs, jobTimeoutMs: this.settings.jobTimeoutMs });
    const entry = { cacheKey: conn.cacheKey, client, queue, gateway };
    this.entries.set(orgId, entry);
    return entry;
  }

  drop(orgId: string): void {
    this.entries.get(orgId)?.queue.close();
    this.entries.delete(orgId);
  }

  closeAll(): void {
    for (const id of [...this.entries.keys()]) this.drop(id);
  }
}
