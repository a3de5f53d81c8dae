// One ApiClient, request queue and gateway per org, created on first use and replaced when the org's
// settings change (a new cacheKey drops the old token cache and queue).
import type { Clock, Sleep } from '../lib/clock.js';
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
  /** The CSV upload of an import job is cut off after this long (default 2 minutes). */
  uploadTimeoutMs?: number;
  /** How long reads after the app's own write wait for Genesys to show it (default: 8 s interactive, 30 s background). */
  visibilityWaitMs?: Record<CallMode, number>;
  /**
   * Waiting (rate-limit pauses, job polls, visibility back-off). Tests pass one that moves `clock` (a manual
   * clock) instead of sleeping; without it, waits are real and measured on the system clock, whatever `clock` is.
   */
  sleep?: Sleep;
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
    const client = new OrgApiClient(conn, {
      clock: this.settings.clock,
      redactor: this.settings.redactor,
      timeoutMs: this.settings.timeoutMs,
      apiOverride: this.settings.apiOverride,
      sharedTokens: this.settings.sharedTokens,
    });
    const { clock, sleep } = this.settings.sleep ? this.settings : { clock: undefined, sleep: undefined };
    const queue = new OrgRequestQueue({
      requestsPerMinute: conn.requestsPerMinute,
      concurrency: this.settings.concurrency,
      budgets: this.settings.budgets,
      clock,
      sleep,
    });
    const gateway = new SdkDataTableGateway(client, queue, {
      jobPollIntervalMs: this.settings.jobPollIntervalMs,
      jobTimeoutMs: this.settings.jobTimeoutMs,
      uploadTimeoutMs: this.settings.uploadTimeoutMs,
      visibilityWaitMs: this.settings.visibilityWaitMs,
      clock,
      sleep,
    });
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
