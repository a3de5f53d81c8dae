// Genesys orgs: create/edit/archive/delete, test connection, the sandbox org, the org defined by environment
// variables, and the per-org gateway. Client secrets are write-only: encrypted with AES-256-GCM bound to
// the org id, decrypted only to build a connection, never returned to routes or logs.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AppConfig } from '../../config.js';
import type { Transact, Transaction } from '../../db/transaction.js';
import { GenesysError } from '../../genesys/errors.js';
import type { DataTableGateway } from '../../genesys/gateway.js';
import type { GatewayRegistry } from '../../genesys/gateway-registry.js';
import type { OrgConnection } from '../../genesys/org-api-client.js';
import { regionLabel, SANDBOX_REGION } from '../../genesys/regions.js';
import type { RowCache } from '../../genesys/row-cache.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { parseForm } from '../../lib/forms.js';
import type { Logger } from '../../lib/logger.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { DetailsOf, OrgAction } from '../audit/audit-events.js';
import type { AuditInput } from '../audit/audit-service.js';
import { editOrgSchema, editSandboxSchema, newOrgSchema } from './org-schemas.js';
import type { OrgRecord, OrgRepository } from './org-repository.js';
import type { SandboxManager } from './sandbox.js';

/** What pages may see of an org: never the secret, the client id only masked. */
export interface OrgView {
  id: string;
  name: string;
  region: string;
  regionLabel: string;
  clientIdMasked: string;
  label: string;
  color: string;
  readOnly: boolean;
  requireReason: boolean;
  backupSchedule: string;
  backupKeep: number;
  isSandbox: boolean;
  managedBy: 'ui' | 'env';
  requestsPerMinute: number;
  /** IANA zone in which change schedules are entered and shown (stored in UTC). */
  timeZone: string;
  /** The default for the org's tables (a table may have its own: requests/change-policy.ts). */
  changePolicy: 'direct' | 'approval';
  /** Approvals a change request needs under 'approval' (1-3). */
  approvalsNeeded: number;
  /** A scheduled apply or revert found more than this many minutes late waits for a person. */
  lateAfterMinutes: number;
  archived: boolean;
  /** Changes whenever any setting (or the secret) changes. */
  updatedAt: Date;
  lastTestedAt: Date | null;
  lastTestOk: boolean | null;
  lastTestMessage: string | null;
}

export interface ConnectionTestResult {
  ok: boolean;
  message: string;
  genesysOrgName?: string;
}

/** Features that keep data about an org (permissions, audit) say why it cannot be deleted. */
export type OrgReferenceCheck = (orgId: string) => Promise<string | null>;

export function maskClientId(clientId: string): string {
  return clientId.length <= 4 ? '••••' : `••••${clientId.slice(-4)}`;
}

export function secretAad(orgId: string): string {
  return `genesys-org:${orgId}:clientSecret`;
}

const PLANNING_SETTINGS = ['timeZone', 'changePolicy', 'approvalsNeeded', 'lateAfterMinutes'] as const;

/**
 * An edit that does not send a planning setting keeps the stored one: a form from before these settings, or
 * a crafted POST, must not quietly turn an org that needs approval back into one that applies changes at once
 * (the schema's defaults are for new orgs).
 */
function withoutAbsentPlanning<T extends Partial<Record<(typeof PLANNING_SETTINGS)[number], unknown>>>(
  input: T,
  body: unknown,
): T {
  const sent = (body ?? {}) as Record<string, unknown>;
  const kept = { ...input };
  for (const k of PLANNING_SETTINGS) if (sent[k] === undefined) delete kept[k];
  return kept;
}

function toView(o: OrgRecord): OrgView {
  return {
    id: o.id,
    name: o.name,
    region: o.region,
    regionLabel: regionLabel(o.region),
    clientIdMasked: maskClientId(o.clientId),
    label: o.label,
    color: o.color,
    readOnly: o.readOnly,
    requireReason: o.requireReason,
    backupSchedule: o.backupSchedule,
    backupKeep: o.backupKeep,
    isSandbox: o.isSandbox,
    managedBy: o.managedBy === 'env' ? 'env' : 'ui',
    requestsPerMinute: o.requestsPerMinute,
    timeZone: o.timeZone,
    // Anything but a known 'direct' reads as approval: an unreadable setting must not skip the checks.
    changePolicy: o.changePolicy === 'direct' ? 'direct' : 'approval',
    approvalsNeeded: o.approvalsNeeded,
    lateAfterMinutes: o.lateAfterMinutes,
    archived: o.archivedAt !== null,
    updatedAt: o.updatedAt,
    lastTestedAt: o.lastTestedAt,
    lastTestOk: o.lastTestOk,
    lastTestMessage: o.lastTestMessage,
  };
}

/** What the audit log keeps of an org: settings, never the secret (not even encrypted). */
function auditSnapshot(o: OrgRecord) {
  return {
    name: o.name,
    region: o.region,
    clientIdMasked: maskClientId(o.clientId),
    label: o.label,
    color: o.color,
    readOnly: o.readOnly,
    requireReason: o.requireReason,
    requestsPerMinute: o.requestsPerMinute,
    timeZone: o.timeZone,
    changePolicy: o.changePolicy,
    approvalsNeeded: o.approvalsNeeded,
    lateAfterMinutes: o.lateAfterMinutes,
    archived: o.archivedAt !== null,
    secretKeyId: o.secretKeyId,
  };
}

export interface OrgServiceDeps {
  repo: OrgRepository;
  /** An org change and its audit entry commit together. */
  transact: Transact;
  /** Records org changes (optional so tools that only read orgs need no audit log). */
  audit?: { record(input: AuditInput, actor: Actor | null, tx?: Transaction): Promise<void> };
  secretBox: SecretBox;
  gateways: GatewayRegistry;
  sandbox: SandboxManager;
  rowCache: RowCache;
  config: Pick<AppConfig, 'envOrg'>;
  logger: Logger;
  clock: Clock;
}

export function createOrgService(deps: OrgServiceDeps) {
  const { repo, secretBox, logger } = deps;
  const referenceChecks: OrgReferenceCheck[] = [];
  const now = () => new Date(deps.clock.now());

  async function record(id: string, tx?: Transaction): Promise<OrgRecord> {
    const org = await repo.find(id, tx);
    if (!org) throw new NotFoundError('That Genesys org does not exist.');
    return org;
  }

  function secretOf(org: OrgRecord): string {
    if (org.managedBy === 'env') {
      if (!deps.config.envOrg)
        throw new ValidationError(
          `The org "${org.name}" is defined by GENESYS_* environment variables, which are not set now.`,
        );
      return deps.config.envOrg.clientSecret;
    }
    if (!org.clientSecretEnc) throw new ValidationError(`The org "${org.name}" has no client secret stored.`);
    return secretBox.decrypt(org.clientSecretEnc, secretAad(org.id));
  }

  // Decrypting the secret on every page view is wasted work: connections are kept per org until its row changes.
  const connections = new Map<string, { version: string; conn: OrgConnection }>();

  // Any change to an org row (settings or secret) moves updatedAt; a restarted sandbox moves its port.
  const connectionVersion = (updatedAt: Date) => `${updatedAt.getTime()}|${deps.sandbox.running?.port ?? ''}`;

  async function connectionFor(org: OrgRecord): Promise<OrgConnection> {
    const version = connectionVersion(org.updatedAt);
    const known = connections.get(org.id);
    if (known?.version === version) return known.conn;
    const conn = await buildConnection(org);
    connections.set(org.id, { version, conn });
    return conn;
  }

  async function buildConnection(org: OrgRecord): Promise<OrgConnection> {
    const clientSecret = secretOf(org);
    const sandboxPort = org.isSandbox ? await deps.sandbox.ensure({ clientId: org.clientId, clientSecret }) : undefined;
    const envOrg = org.managedBy === 'env' ? deps.config.envOrg : null;
    return {
      // Any change of region, client or secret (or the emulator's port) replaces the ApiClient and its token.
      cacheKey: [
        org.region,
        envOrg?.clientId ?? org.clientId,
        org.clientSecretEnc ?? 'env',
        envOrg ? envOrg.region : '',
        sandboxPort ?? '',
        org.requestsPerMinute,
      ].join('|'),
      label: org.name,
      region: envOrg?.region ?? org.region,
      clientId: envOrg?.clientId ?? org.clientId,
      clientSecret,
      sandboxPort,
      requestsPerMinute: org.requestsPerMinute,
    };
  }

  /** The org's gateway; with the caller's fresh view of the org, a known connection is reused without a database read. */
  async function gatewayFor(orgId: string, known?: OrgView): Promise<DataTableGateway> {
    const cached = connections.get(orgId);
    if (known && known.id === orgId && !known.archived && cached?.version === connectionVersion(known.updatedAt))
      return deps.gateways.for(orgId, cached.conn).gateway;
    const org = await record(orgId);
    if (org.archivedAt) throw new ForbiddenError(`The org "${org.name}" is archived.`);
    return deps.gateways.for(org.id, await connectionFor(org)).gateway;
  }

  async function runTest(org: OrgRecord): Promise<ConnectionTestResult> {
    let result: ConnectionTestResult;
    try {
      const conn = await connectionFor(org);
      const identity = await deps.gateways.for(org.id, conn).gateway.testConnection();
      result = {
        ok: true,
        message: `Connected to the Genesys Cloud org “${identity.name}”.`,
        genesysOrgName: identity.name,
      };
    } catch (err) {
      if (!(err instanceof GenesysError) && !(err instanceof ValidationError)) throw err;
      result = { ok: false, message: err.message };
    }
    await repo.update(org.id, {
      lastTestedAt: now(),
      lastTestOk: result.ok,
      lastTestMessage: result.message.slice(0, 500),
    });
    logger.info('org connection tested', { event: 'org.tested', orgId: org.id, ok: result.ok });
    return result;
  }

  function afterSettingsChange(orgId: string): void {
    connections.delete(orgId);
    deps.gateways.drop(orgId);
    deps.rowCache.invalidate(orgId);
  }

  // The entry carries the whole actor (address and request id too), as every other audited change does.
  async function audited(
    tx: Transaction,
    action: OrgAction,
    orgId: string,
    actor: Actor,
    before: OrgRecord | undefined,
    after: OrgRecord | undefined,
    details?: DetailsOf<OrgAction>,
  ): Promise<void> {
    await deps.audit?.record(
      { action, orgId, before: before && auditSnapshot(before), after: after && auditSnapshot(after), details },
      actor,
      tx,
    );
  }

  async function assertNameFree(name: string, exceptId?: string, tx?: Transaction): Promise<void> {
    const clash = await repo.findByName(name, tx);
    if (clash && clash.id !== exceptId)
      throw new ValidationError('Please correct the highlighted fields.', {
        name: 'Another org already has this name.',
      });
  }

  return {
    referenceChecks,

    async list(opts: { includeArchived?: boolean } = {}): Promise<OrgView[]> {
      return (await repo.list({ includeArchived: opts.includeArchived ?? false })).map(toView);
    },

    async get(id: string): Promise<OrgView> {
      return toView(await record(id));
    },

    async create(actor: Actor, body: unknown): Promise<OrgView> {
      const input = parseForm(newOrgSchema, body);
      const id = randomUUID();
      const org = await deps.transact(async (tx) => {
        await assertNameFree(input.name, undefined, tx);
        const created = await repo.create(
          {
            id,
            name: input.name,
            region: input.region,
            clientId: input.clientId,
            clientSecretEnc: secretBox.encrypt(input.clientSecret, secretAad(id)),
            secretKeyId: secretBox.currentKeyId,
            label: input.label,
            color: input.color,
            readOnly: input.readOnly,
            requireReason: input.requireReason,
            backupSchedule: input.backupSchedule,
            backupKeep: input.backupKeep,
            requestsPerMinute: input.requestsPerMinute,
          },
          tx,
        );
        await audited(tx, 'org.created', id, actor, undefined, created);
        return created;
      });
      logger.info('org created', { event: 'org.created', orgId: id, actorId: actor.userId, region: input.region });
      return toView(org);
    },

    async update(actor: Actor, id: string, body: unknown): Promise<OrgView> {
      const { updated, secretChanged } = await deps.transact(async (tx) => {
        const org = await record(id, tx);
        if (org.managedBy === 'env')
          throw new ForbiddenError('This org is defined by GENESYS_* environment variables and cannot be edited here.');
        if (org.isSandbox) {
          const input = withoutAbsentPlanning(parseForm(editSandboxSchema, body), body);
          await assertNameFree(input.name, id, tx);
          const updated = await repo.update(id, { ...input }, tx);
          await audited(tx, 'org.updated', id, actor, org, updated);
          return { updated, secretChanged: undefined };
        }
        const input = withoutAbsentPlanning(parseForm(editOrgSchema, body), body);
        await assertNameFree(input.name, id, tx);
        const { clientSecret, clientId, ...rest } = input;
        const data = {
          ...rest,
          ...(clientId ? { clientId } : {}),
          ...(clientSecret
            ? { clientSecretEnc: secretBox.encrypt(clientSecret, secretAad(id)), secretKeyId: secretBox.currentKeyId }
            : {}),
        };
        const updated = await repo.update(id, data, tx);
        await audited(tx, 'org.updated', id, actor, org, updated, { secretChanged: Boolean(clientSecret) });
        return { updated, secretChanged: Boolean(clientSecret) };
      });
      afterSettingsChange(id);
      logger.info('org updated', { event: 'org.updated', orgId: id, actorId: actor.userId, secretChanged });
      return toView(updated);
    },

    async setArchived(actor: Actor, id: string, archived: boolean): Promise<void> {
      await deps.transact(async (tx) => {
        const org = await record(id, tx);
        if (org.managedBy === 'env')
          throw new ForbiddenError(
            'This org is defined by environment variables; remove the GENESYS_* variables instead.',
          );
        const updated = await repo.update(id, { archivedAt: archived ? now() : null }, tx);
        await audited(tx, archived ? 'org.archived' : 'org.unarchived', id, actor, org, updated);
      });
      afterSettingsChange(id);
      logger.info(archived ? 'org archived' : 'org restored', {
        event: archived ? 'org.archived' : 'org.unarchived',
        orgId: id,
        actorId: actor.userId,
      });
    },

    /** Deletes an org nothing refers to; otherwise explains why and suggests archiving. */
    async delete(actor: Actor, id: string): Promise<void> {
      const org = await record(id);
      if (org.managedBy === 'env')
        throw new ForbiddenError(
          'This org is defined by environment variables; remove the GENESYS_* variables instead.',
        );
      const reasons = (await Promise.all(referenceChecks.map((check) => check(id)))).filter(Boolean);
      if (reasons.length)
        throw new ConflictError(
          `“${org.name}” cannot be deleted: ${reasons.join('; ')}. Archive it instead: it disappears from the org switcher but its history stays.`,
        );
      await deps.transact(async (tx) => {
        await repo.delete(id, tx);
        await audited(tx, 'org.deleted', id, actor, org, undefined);
      });
      afterSettingsChange(id);
      logger.info('org deleted', { event: 'org.deleted', orgId: id, actorId: actor.userId });
    },

    async test(id: string): Promise<ConnectionTestResult> {
      return runTest(await record(id));
    },

    gatewayFor,

    /** The org's SDK client and request queue beside its gateway, for the readiness probe's own calls. */
    async connectionEntry(orgId: string) {
      const org = await record(orgId);
      if (org.archivedAt) throw new ForbiddenError(`The org "${org.name}" is archived.`);
      return deps.gateways.for(org.id, await connectionFor(org));
    },

    async isReadOnly(id: string): Promise<boolean> {
      return (await record(id)).readOnly;
    },

    /** Creates the sandbox org (once) and starts its emulator with the demo data. */
    async createSandbox(actor: Actor): Promise<OrgView> {
      const existing = await repo.findSandbox();
      if (existing) {
        if (existing.archivedAt) await repo.update(existing.id, { archivedAt: null });
        return toView(await record(existing.id));
      }
      const id = randomUUID();
      const clientId = `sandbox-${randomBytes(6).toString('hex')}`;
      const clientSecret = randomBytes(24).toString('base64url');
      let name = 'Sandbox';
      for (let i = 2; await repo.findByName(name); i++) name = `Sandbox ${i}`;
      const data = {
        id,
        name,
        region: SANDBOX_REGION,
        clientId,
        clientSecretEnc: secretBox.encrypt(clientSecret, secretAad(id)),
        secretKeyId: secretBox.currentKeyId,
        label: 'SANDBOX',
        color: 'purple',
        isSandbox: true,
      };
      const org = await deps.transact(async (tx) => {
        const created = await repo.create(data, tx);
        await audited(tx, 'org.created', id, actor, undefined, created, { sandbox: true });
        return created;
      });
      await deps.sandbox.ensure({ clientId, clientSecret });
      logger.info('sandbox org created', { event: 'org.sandbox_created', orgId: id, actorId: actor.userId });
      return toView(org);
    },

    async resetSandbox(actor: Actor, id: string): Promise<void> {
      const org = await record(id);
      if (!org.isSandbox) throw new ValidationError('Only the sandbox org can be reset to the demo data.');
      await deps.sandbox.reset({ clientId: org.clientId, clientSecret: secretOf(org) });
      deps.rowCache.invalidate(id);
      logger.info('sandbox reset to demo data', { event: 'org.sandbox_reset', orgId: id, actorId: actor.userId });
      await deps.audit?.record({ action: 'org.sandbox_reset', orgId: id }, actor);
    },

    /** At start-up: the org defined by GENESYS_* variables exists (environment > stored settings > UI). */
    async syncEnvOrg(): Promise<void> {
      const env = deps.config.envOrg;
      const existing = await repo.findEnvManaged();
      if (!env) return;
      const data = {
        name: env.name,
        region: env.region,
        clientId: env.clientId,
        clientSecretEnc: null,
        secretKeyId: null,
        archivedAt: null,
      };
      if (existing) {
        const clash = await repo.findByName(env.name);
        if (clash && clash.id !== existing.id) await repo.update(clash.id, { name: `${clash.name} (stored)` });
        await repo.update(existing.id, data);
        afterSettingsChange(existing.id);
        return;
      }
      const clash = await repo.findByName(env.name);
      if (clash && clash.managedBy !== 'env') {
        // Environment wins over stored settings: take over the stored org of that name.
        await repo.update(clash.id, { ...data, managedBy: 'env' });
        afterSettingsChange(clash.id);
        return;
      }
      await repo.create({ id: randomUUID(), ...data, managedBy: 'env', label: 'ENV', color: 'grey' });
    },

    async firstActiveOrgId(): Promise<string | null> {
      return (await repo.list({ includeArchived: false }))[0]?.id ?? null;
    },
  };
}

export type OrgService = ReturnType<typeof createOrgService>;
