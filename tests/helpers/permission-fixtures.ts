// A test app with the sandbox org and users with different rights on the demo "Emergency Flags" table:
// columns key, Active, Message, Priority, ActivatedBy.
import { pageOnceReady } from './eventually.js';
import {
  completeSetup,
  createTestApp,
  createUser,
  csrfFrom,
  signIn,
  type Agent,
  type TestApp,
  type TestAppOptions,
  ADMIN_ACTOR,
} from './test-app.js';
import { onRealisticEmulator } from './emulator-profile.js';
import type { StoredRights } from '../../src/features/permissions/access.js';

export const PASSWORD = 'a long enough password';

export interface PermissionWorld {
  t: TestApp;
  admin: Agent;
  orgId: string;
  flagsId: string;
  hoursId: string;
  users: Record<'none' | 'viewer' | 'columnEditor' | 'tableEditor', { id: number; agent: Agent }>;
  /** Emulator calls made so far (to prove a refused request reached nothing). */
  apiCalls(): number;
  /** Emulator write calls (POST/PUT/DELETE on the API) made so far. */
  writes(): number;
  grant(userId: number, tableId: string, rights: Partial<StoredRights>): Promise<void>;
}

export interface PermissionWorldOptions extends TestAppOptions {
  /** Keep Genesys's 300 requests a minute (the app then paces itself to ~0.2 s a call); see liftSandboxPace. */
  genesysPace?: boolean;
}

export async function permissionWorld(options: PermissionWorldOptions = {}): Promise<PermissionWorld> {
  const t = await createTestApp(options);
  const admin = await completeSetup(t);
  const org = await t.services.orgs.createSandbox(ADMIN_ACTOR);
  // The realistic run keeps Genesys's pace too: that run relaxes nothing the emulator enforces (R10).
  if (!options.genesysPace && !onRealisticEmulator) await liftSandboxPace(t, org.id);
  const tables = await (await t.services.orgs.gatewayFor(org.id)).listTables();
  const flagsId = tables.find((x) => x.name === 'Emergency Flags')!.id;
  const hoursId = tables.find((x) => x.name === 'Opening Hours')!.id;
  const grant = async (userId: number, tableId: string, rights: Partial<StoredRights>) => {
    const full: StoredRights = {
      canView: true,
      canEdit: false,
      canAdd: false,
      canDelete: false,
      canApprove: false,
      canRunPlaybooks: false,
      defaultColumnAccess: 'hidden',
      columns: {},
      ...rights,
    };
    await t.db.tablePermission.deleteMany({ where: { userId, orgId: org.id, tableId } });
    await t.db.tablePermission.create({
      data: {
        userId,
        orgId: org.id,
        tableId,
        tableName: '',
        canView: full.canView,
        canEdit: full.canEdit,
        canAdd: full.canAdd,
        canDelete: full.canDelete,
        canApprove: full.canApprove,
        canRunPlaybooks: full.canRunPlaybooks,
        defaultColumnAccess: full.defaultColumnAccess,
        columns: { create: Object.entries(full.columns).map(([column, access]) => ({ column, access })) },
      },
    });
  };
  const make = async (name: string) => {
    const u = await createUser(t, {
      email: `${name.toLowerCase()}@example.com`,
      displayName: name,
      password: PASSWORD,
    });
    return { id: u.id, agent: (await signIn(t, u.email, PASSWORD)).agent };
  };
  const users = {
    none: await make('Nora'),
    viewer: await make('Vic'),
    columnEditor: await make('Cole'),
    tableEditor: await make('Tess'),
  };
  // Viewer: sees key, Active, Message (read); ActivatedBy hidden.
  await grant(users.viewer.id, flagsId, {
    columns: { key: 'read', Active: 'read', Message: 'read', Priority: 'read', ActivatedBy: 'hidden' },
  });
  // Column editor: may edit Message only; Priority read; ActivatedBy hidden.
  await grant(users.columnEditor.id, flagsId, {
    canEdit: true,
    columns: { key: 'read', Active: 'read', Message: 'write', Priority: 'read', ActivatedBy: 'hidden' },
  });
  // Table editor: every right, every column writable.
  await grant(users.tableEditor.id, flagsId, {
    canEdit: true,
    canAdd: true,
    canDelete: true,
    canApprove: false,
    canRunPlaybooks: false,
    defaultColumnAccess: 'write',
  });
  const emu = () => t.services.sandbox.running!;
  const api = () => emu().requestLog.filter((e) => e.path.startsWith('/api/'));
  return {
    t,
    admin,
    orgId: org.id,
    flagsId,
    hoursId,
    users,
    apiCalls: () => api().length,
    writes: () => api().filter((e) => e.method !== 'GET').length,
    grant,
  };
}

/**
 * Genesys allows 300 requests a minute per token, and the app paces every org's calls to stay under it: about
 * 0.2 s a call, which was most of the wall time of the tests built on the sandbox. Those tests are about what
 * the app does, not its pace (pacing, 429s and retries have their own tests on their own emulator, in
 * tests/int/gateway), so the sandbox's limit and the org's pace are raised together, bypassing the org form's
 * cap of 10,000 a minute and its audit entry. Calls still go through the same queue, four at a time.
 */
export async function liftSandboxPace(t: TestApp, orgId: string): Promise<void> {
  const perMinute = 100_000;
  const sandbox = t.services.sandbox.running;
  if (!sandbox) throw new Error('liftSandboxPace: the sandbox emulator is not running (create the sandbox org first)');
  sandbox.setBehaviour({ rateLimitPerMinute: perMinute });
  await t.db.genesysOrg.update({ where: { id: orgId }, data: { requestsPerMinute: perMinute } });
}

/** Puts `canary` in Main Line's ActivatedBy column, which the viewer and the column editor cannot see. */
export async function plantHiddenCanary(w: PermissionWorld, canary: string): Promise<void> {
  const g = await w.t.services.orgs.gatewayFor(w.orgId);
  await g.updateRow(w.flagsId, 'Main Line', {
    key: 'Main Line',
    Active: false,
    Message: 'All normal',
    Priority: 1,
    ActivatedBy: canary,
  });
}

/** The restore job page once the job is no longer running (bounded to 28 s, inside the tests' 30 s). */
export async function restoreJobPage(agent: Agent, url: string): Promise<string> {
  return pageOnceReady(agent, url, 'the restore to stop running', (page) => !page.includes('Restoring…'), {
    timeoutMs: 28_000,
  });
}

/** The sandbox emulator's table of that name, as its state (not through the API). */
export const sandboxTable = (w: PermissionWorld, name: string) =>
  [...w.t.services.sandbox.running!.orgs[0]!.tables.values()].find((t) => t.name === name)!;

/** The sandbox emulator's API requests so far. */
export const sandboxApi = (w: PermissionWorld) =>
  w.t.services.sandbox.running!.requestLog.filter((e) => e.path.startsWith('/api/'));

/** A manual backup of the named tables, made by the administrator; its id. */
export async function backupOfTables(w: PermissionWorld, names: string[]): Promise<string> {
  const org = await w.t.services.orgs.get(w.orgId);
  return w.t.services.backups.backupNow(
    ADMIN_ACTOR,
    org,
    names.map((n) => sandboxTable(w, n).id),
    'manual',
  );
}

/** The app's page of one row (the key as a path segment). */
export const rowUrlIn = (tableId: string, key: string) => `/tables/${tableId}/rows/${encodeURIComponent(key)}`;

/** A form POST as `agent`, with a fresh CSRF token. */
export async function postForm(agent: Agent, url: string, fields: Record<string, string> = {}) {
  return agent
    .post(url)
    .type('form')
    .send({ _csrf: await csrfFrom(agent, '/account'), ...fields });
}

/** The newest intent entry of `action` (a row change just made through the app). */
export async function lastIntentSeq(w: PermissionWorld, action: string): Promise<number> {
  return (await w.t.db.auditEvent.findFirstOrThrow({ where: { action, outcome: 'intent' }, orderBy: { seq: 'desc' } }))
    .seq;
}
