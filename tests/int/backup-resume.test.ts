// A backup job survives kill -9: after a restart it is read again from the start (reading changes nothing in
// Genesys) and kept once, under the id chosen when it was asked for, with one audit entry and a note saying
// why it took longer (docs/adr/013-durable-jobs.md says why it resumes rather than fails).
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureDb, createDb, databasePath } from '../../src/db/database.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { formToken, setUpWithOrg, startServerWithEmulator } from '../helpers/server-with-org.js';
import { ADMIN } from '../helpers/test-app.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({
    clients: [{ name: 'Backup Org', clientId: 'backup-client', clientSecret: 'backup-secret' }],
    seed: 'demo',
  });
});
afterAll(async () => emu.stop());

describe('kill -9 in the middle of a backup', () => {
  it('reads it again after the restart and keeps it once, audited once', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dtm-backup-resume-'));
    const first = await startServerWithEmulator(dataDir, emu.port);
    const a = first.agent;
    await setUpWithOrg(a, { name: 'Backup', clientId: 'backup-client', clientSecret: 'backup-secret' });
    const tables = [...emu.orgs[0]!.tables.values()];
    emu.options.behaviour.latencyMs = 250; // every table takes a while to read
    const started = await a
      .post('/backups')
      .type('form')
      .send({ _csrf: formToken((await a.get('/backups')).text) })
      .expect(303);
    const jobUrl = started.headers.location!;
    const tablesDone = async (agent: typeof a) =>
      Number(/id="tables-done">(\d+)</.exec((await agent.get(jobUrl)).text)?.[1] ?? -1);
    await expect.poll(() => tablesDone(a), { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(1);
    first.proc.child.kill('SIGKILL');
    await first.proc.exited;
    emu.options.behaviour.latencyMs = 0;
    expect(await tablesDone(a).catch(() => -1)).toBe(-1); // the server is gone

    const second = await startServerWithEmulator(dataDir, emu.port);
    const b = second.agent;
    const loginToken = formToken((await b.get('/login')).text);
    await b
      .post('/login')
      .type('form')
      .send({ _csrf: loginToken, email: ADMIN.email, password: ADMIN.password })
      .expect(303);
    await expect
      .poll(async () => (await b.get(jobUrl)).text, { timeout: 30_000, interval: 100 })
      .toContain('Backup ready');
    const page = (await b.get(jobUrl)).text;
    expect(page).toContain(`id="tables-done">${tables.length}</span> of ${tables.length} table(s)`);
    expect(page).toContain(
      'The app restarted while this backup was being read, so its tables were read again from the start.',
    );
    const backupId = /\/backups\/([\w-]+)\/download/.exec(page)![1]!;
    const download = await b.get(`/backups/${backupId}/download`).buffer(true);
    expect(download.status).toBe(200);
    expect((JSON.parse(download.text) as { tables: unknown[] }).tables).toHaveLength(tables.length);

    const db = createDb(databasePath(dataDir));
    await configureDb(db);
    try {
      expect(await db.backup.count()).toBe(1);
      expect(await db.auditEvent.count({ where: { action: 'backup.created' } })).toBe(1);
      const job = await db.job.findUniqueOrThrow({ where: { id: jobUrl.split('/').pop()! } });
      expect(job).toMatchObject({ kind: 'backup', status: 'finished', done: tables.length });
      expect(readdirSync(path.join(dataDir, 'backups')).filter((f) => f.endsWith('.json'))).toEqual([
        `${backupId}.json`,
      ]);
    } finally {
      await db.$disconnect();
      second.proc.child.kill('SIGINT');
      await second.proc.exited;
    }
  }, 120_000); // two server start-ups on a shared machine
});
