// The durable job runner as people use it: R8 (a job belongs to its owner: anyone else is told it does not
// exist, 404 not 403, for every way of reaching it; administrators reach all) for every kind of job, the jobs
// page, cancelling between steps, and the periodic work driven by the clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { touchRows } from '../../src/emulator/store.js';
import { csrfFrom, type Agent } from '../helpers/test-app.js';
import {
  backupOfTables,
  permissionWorld,
  postForm,
  restoreJobPage,
  sandboxTable,
  type PermissionWorld,
} from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

const idOf = (location: string | undefined) => String(location).split('/').pop()!;
const ended = async (jobId: string) => {
  await expect
    .poll(async () => (await w.t.db.job.findUniqueOrThrow({ where: { id: jobId } })).status, {
      timeout: 30_000,
      interval: 100,
    })
    .toMatch(/finished|failed|cancelled/);
  return w.t.db.job.findUniqueOrThrow({ where: { id: jobId } });
};

interface KindCase {
  kind: string;
  /** The kind's own address of a job's page, besides /jobs/:jobId. */
  page: (jobId: string) => string;
  /** Starts a job of this kind as `owner` through its form; the job's id once it has ended. */
  start: (owner: Agent) => Promise<string>;
  /** What the job made that can be downloaded, if anything. */
  download?: (jobId: string) => Promise<string>;
}

/** One entry per kind of job: bulk changes, batch undo and imports join this list with one line each. */
const KINDS: KindCase[] = [
  {
    kind: 'backup',
    page: (id) => `/backups/jobs/${id}`,
    start: async (owner) => idOf((await postForm(owner, '/backups', { table: w.flagsId })).headers.location),
    download: async (id) =>
      `/backups/${JSON.parse((await w.t.db.job.findUniqueOrThrow({ where: { id } })).result).backupId}/download`,
  },
  {
    kind: 'restore',
    page: (id) => `/backups/restores/${id}`,
    start: async (owner) => {
      const backupJob = idOf((await postForm(owner, '/backups', { table: w.flagsId })).headers.location);
      const { backupId } = JSON.parse((await ended(backupJob)).result) as { backupId: string };
      const flags = sandboxTable(w, 'Emergency Flags');
      flags.rows.set('Main Line', { ...flags.rows.get('Main Line')!, Message: 'Changed after the backup' });
      touchRows(flags);
      const started = await postForm(owner, `/backups/${backupId}/restore`);
      expect(started.status).toBe(303);
      return idOf(started.headers.location);
    },
  },
  {
    kind: 'bulk',
    page: (id) => `/tables/${w.flagsId}/bulk/${id}`,
    start: async (owner) =>
      idOf(
        (
          await postForm(owner, `/tables/${w.flagsId}/bulk/apply`, {
            action: 'set',
            column: 'Priority',
            value: '7',
            sel: 'Main Line',
          })
        ).headers.location,
      ),
  },
  {
    kind: 'undo',
    page: (id) => `/jobs/${id}`,
    start: async (owner) => {
      const bulkJob = await ended(
        idOf(
          (
            await postForm(owner, `/tables/${w.flagsId}/bulk/apply`, {
              action: 'set',
              column: 'Priority',
              value: '7',
              sel: 'Main Line',
            })
          ).headers.location,
        ),
      );
      const started = await postForm(owner, `/audit/batch/${bulkJob.batchId}/undo`);
      expect(started.status).toBe(303);
      return idOf(started.headers.location);
    },
  },
];

describe.each(KINDS)('R8: a $kind job belongs to the person who started it', ({ kind, page, start, download }) => {
  it('is hidden from another user by every address (404, as for no job at all), and reachable by an administrator', async () => {
    const owner = w.users.tableEditor.agent;
    const other = w.users.viewer.agent; // may view the same table: only ownership stands between them and the job
    const jobId = await start(owner);
    const job = await ended(jobId);
    expect(job.kind).toBe(kind);
    expect(job.status).toBe('finished');

    expect((await owner.get(`/jobs/${jobId}`)).status).toBe(200);
    expect((await owner.get(page(jobId))).status).toBe(200);
    expect((await owner.get('/jobs')).text).toContain(`/jobs/${jobId}`);

    await other.get('/account'); // shows (and clears) the sign-in greeting
    const nothing = await other.get('/jobs/00000000-0000-0000-0000-000000000000');
    expect(nothing.status).toBe(404);
    expect((await other.get(page(jobId))).status).toBe(404);
    // The same page as for an id that never existed (ids, tokens and the error id aside): nothing confirms it exists.
    const withoutIds = (text: string) => text.replace(/[0-9a-f-]{36}|Error id: <code>\w+<\/code>|value="[^"]+"/g, '');
    const hers = await other.get(`/jobs/${jobId}`);
    expect(hers.status).toBe(404);
    expect(withoutIds(hers.text)).toBe(withoutIds(nothing.text));
    expect((await postForm(other, `/jobs/${jobId}/cancel`)).status).toBe(404);
    expect((await postForm(other, `/jobs/${jobId}/resume`)).status).toBe(404);
    if (kind === 'restore') expect((await postForm(other, `/backups/restores/${jobId}/resume`)).status).toBe(404);
    if (download) expect((await other.get(await download(jobId))).status).toBe(404);
    expect((await other.get('/jobs')).text).not.toContain(jobId);
    expect(await w.t.db.auditEvent.count({ where: { action: 'job.cancelled' } })).toBe(0);

    // An administrator sees it and gets past ownership to the job's own state (it has ended: 409, not 404).
    expect((await w.admin.get(`/jobs/${jobId}`)).status).toBe(200);
    expect((await w.admin.get(page(jobId))).status).toBe(200);
    expect((await w.admin.get('/jobs')).text).toContain(`/jobs/${jobId}`);
    expect((await postForm(w.admin, `/jobs/${jobId}/cancel`)).status).toBe(409);
    expect((await postForm(w.admin, `/jobs/${jobId}/resume`)).status).toBe(409);
    if (download) expect((await w.admin.get(await download(jobId))).status).toBe(200);
  });
});

describe('the jobs page', () => {
  it('lists one’s own jobs, and everyone’s for an administrator, linked from the navigation', async () => {
    const mine = idOf((await postForm(w.users.tableEditor.agent, '/backups', { table: w.flagsId })).headers.location);
    const theirs = idOf((await postForm(w.users.viewer.agent, '/backups', { table: w.flagsId })).headers.location);
    await ended(mine);
    await ended(theirs);
    const page = (await w.users.tableEditor.agent.get('/jobs')).text;
    expect(page).toContain('href="/jobs"');
    expect(page).toContain(`/jobs/${mine}`);
    expect(page).not.toContain(`/jobs/${theirs}`);
    const all = (await w.admin.get('/jobs')).text;
    expect(all).toContain(`/jobs/${mine}`);
    expect(all).toContain(`/jobs/${theirs}`);
    expect(all).toContain('Tess'); // who started it, for administrators
  });
});

describe('cancelling a job', () => {
  it('stops a restore between rows, keeps what it wrote (undoable), and can resume it', async () => {
    const flags = sandboxTable(w, 'Emergency Flags');
    const backupId = await backupOfTables(w, ['Emergency Flags']);
    const keys = [...flags.rows.keys()];
    for (const key of keys) flags.rows.set(key, { ...flags.rows.get(key)!, Message: 'Changed' });
    touchRows(flags);
    w.t.services.sandbox.running!.options.behaviour.latencyMs = 250; // each row write takes a while
    const started = await postForm(w.admin, `/backups/${backupId}/restore`);
    const jobId = idOf(started.headers.location);
    await expect
      .poll(async () => (await w.t.db.job.findUniqueOrThrow({ where: { id: jobId } })).done, {
        timeout: 30_000,
        interval: 50,
      })
      .toBeGreaterThanOrEqual(1);
    const page = (await w.admin.get(`/jobs/${jobId}`)).text;
    expect(page).toContain('Cancel the restore');
    expect((await postForm(w.admin, `/jobs/${jobId}/cancel`)).status).toBe(303);
    const job = await ended(jobId);
    w.t.services.sandbox.running!.options.behaviour.latencyMs = 0;
    expect(job.status).toBe('cancelled');
    expect(job.done).toBeLessThan(keys.length);
    const written = keys.filter((k) => flags.rows.get(k)!.Message !== 'Changed');
    expect(written.length).toBe(job.done); // every row it counted, and no other
    const cancelled = await w.admin.get(`/jobs/${jobId}`);
    expect(cancelled.text).toContain('Restore cancelled');
    expect(cancelled.text).toContain('Undo this restore');
    expect(cancelled.text).toContain('Resume the restore');
    expect(await w.t.db.auditEvent.count({ where: { action: 'job.cancelled' } })).toBe(1);
    expect(await w.t.db.auditEvent.count({ where: { action: 'backup.restored' } })).toBe(0);

    expect((await postForm(w.admin, `/jobs/${jobId}/resume`)).status).toBe(303);
    expect(await restoreJobPage(w.admin, `/jobs/${jobId}`)).toContain('Restore finished');
    for (const key of keys) expect(flags.rows.get(key)!.Message).not.toBe('Changed');
  });
});

describe('cancelling a bulk change and its batch undo', () => {
  /** Starts a job by a form (`body` url-encoded, without the token), waits until it has done a row, cancels it. */
  async function startAndCancel(url: string, body: string, noun: string) {
    const started = await w.admin
      .post(url)
      .type('form')
      .send(`_csrf=${encodeURIComponent(await csrfFrom(w.admin, '/account'))}&${body}`);
    expect(started.status).toBe(303);
    const jobId = idOf(started.headers.location);
    await expect
      .poll(async () => (await w.t.db.job.findUniqueOrThrow({ where: { id: jobId } })).done, {
        timeout: 30_000,
        interval: 50,
      })
      .toBeGreaterThanOrEqual(1);
    expect((await w.admin.get(`/jobs/${jobId}`)).text).toContain(`Cancel the ${noun}`);
    expect((await postForm(w.admin, `/jobs/${jobId}/cancel`)).status).toBe(303);
    const job = await ended(jobId);
    expect(job.status).toBe('cancelled');
    return job;
  }

  it('stops each between rows, says how many rows were changed, keeps them undoable, and resumes', async () => {
    const flags = sandboxTable(w, 'Emergency Flags');
    const keys = [...flags.rows.keys()];
    const emu = w.t.services.sandbox.running!;
    const changed = () => keys.filter((k) => flags.rows.get(k)!.Priority === 42).length;
    emu.options.behaviour.latencyMs = 250; // each row write takes a while
    const bulk = await startAndCancel(
      `/tables/${w.flagsId}/bulk/apply`,
      `action=set&column=Priority&value=42&${keys.map((k) => `sel=${encodeURIComponent(k)}`).join('&')}`,
      'bulk change',
    );
    const bulkChanged = changed();
    expect(bulkChanged).toBeGreaterThanOrEqual(1);
    expect(bulkChanged).toBeLessThan(keys.length);
    const page = (await w.admin.get(`/jobs/${bulk.id}`)).text;
    expect(page).toContain('Bulk change cancelled');
    expect(page).toContain(`<strong>${bulkChanged}</strong> row(s) were changed before it was cancelled`);
    expect(page).toContain('The bulk change was cancelled before this row.');
    expect(page).toContain(`/audit/batch/${bulk.batchId}`);
    expect(await w.t.db.auditEvent.count({ where: { batchId: bulk.batchId, outcome: 'applied' } })).toBe(bulkChanged);
    expect((await w.admin.get(`/audit/batch/${bulk.batchId}`)).text).toContain(
      `${bulkChanged} of ${bulkChanged} change(s) can be undone`,
    );
    // Resumed, it changes the other rows, each written once.
    emu.options.behaviour.latencyMs = 0;
    expect((await postForm(w.admin, `/jobs/${bulk.id}/resume`)).status).toBe(303);
    expect((await ended(bulk.id)).status).toBe('finished');
    expect(changed()).toBe(keys.length);
    expect(await w.t.db.auditEvent.count({ where: { batchId: bulk.batchId, outcome: 'intent' } })).toBe(keys.length);

    // Its batch undo, cancelled in turn: the rows it changed back stay so; resumed, it undoes the rest.
    emu.options.behaviour.latencyMs = 250;
    const undo = await startAndCancel(`/audit/batch/${bulk.batchId}/undo`, '', 'batch undo');
    const undone = keys.length - changed();
    expect(undone).toBeGreaterThanOrEqual(1);
    expect(undone).toBeLessThan(keys.length);
    expect(JSON.parse(undo.result)).toMatchObject({ undone });
    const undoPage = (await w.admin.get(`/jobs/${undo.id}`)).text;
    expect(undoPage).toContain('Undo cancelled');
    expect(undoPage).toContain(`<strong>${undone}</strong> row(s) were changed back before it was cancelled`);
    expect(undoPage).toContain(`/audit/batch/${undo.batchId}`); // the partial undo is itself undoable
    expect(await w.t.db.auditEvent.count({ where: { batchId: undo.batchId, outcome: 'applied' } })).toBe(undone);
    emu.options.behaviour.latencyMs = 0;
    expect((await postForm(w.admin, `/jobs/${undo.id}/resume`)).status).toBe(303);
    expect((await ended(undo.id)).status).toBe('finished');
    expect(changed()).toBe(0);
    expect((await w.admin.get(`/jobs/${undo.id}`)).text).toContain(`Undid ${keys.length} change(s) as one new batch.`);
    expect(await w.t.db.auditEvent.count({ where: { batchId: undo.batchId, outcome: 'intent' } })).toBe(keys.length);
    expect(await w.t.db.auditEvent.count({ where: { action: 'job.cancelled' } })).toBe(2);
  });
});

describe('periodic work', () => {
  it('runs each task when the clock reaches its time, never before, and stops cleanly', async () => {
    const { periodic } = w.t.services;
    expect(periodic.names().sort()).toEqual([
      'audit.checkpoint',
      'audit.prune',
      'audit.reconcile',
      'backup.scheduler',
      'request.recover',
      'request.scheduler',
      'session.prune',
    ]);
    await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { backupSchedule: 'daily' } });
    const scheduled = () => w.t.db.backup.count({ where: { kind: 'scheduled' } });
    let tick: (() => void) | undefined;
    periodic.start((fn) => ((tick = fn), () => (tick = undefined)));
    await expect.poll(scheduled, { timeout: 30_000 }).toBe(1); // at start: the first daily backup is due at once
    expect(tick).toBeDefined();

    // A Genesys write whose outcome was lost, older than the reconciler's grace period.
    const row = sandboxTable(w, 'Emergency Flags').rows.get('Main Line')!;
    await w.t.services.audit.record(
      {
        action: 'row.updated',
        orgId: w.orgId,
        tableId: w.flagsId,
        rowKey: 'Main Line',
        changeId: 'lost-answer',
        outcome: 'intent',
        before: { ...row, Message: 'before' },
        after: row,
      },
      null,
    );
    const settled = () =>
      w.t.db.auditEvent.count({ where: { changeId: 'lost-answer', outcome: { startsWith: 'reconciled' } } });
    w.t.clock.advance(4 * 60_000);
    await periodic.tick();
    expect(await settled()).toBe(0); // the reconciler's 5 minutes have not passed
    w.t.clock.advance(2 * 60_000);
    await periodic.tick();
    expect(await settled()).toBe(1);

    w.t.clock.advance(24 * 3_600_000);
    await periodic.tick();
    expect(await scheduled()).toBe(2); // a day later, the next daily backup

    await periodic.stop();
    expect(tick).toBeUndefined(); // no timer left behind
  });
});
