// A bulk change and a batch undo survive kill -9 at their write steps (CRASH_AT, as crash-recovery.test.ts): the
// real server in a child process dies at its first row write, after Genesys applied it and before the app
// recorded that; started again on the same DATA_DIR, it carries the job on, settles that write from Genesys
// (its change id follows from the stored plan) without sending it again, and writes every other row once. The
// emulator's request log counts the writes; the audit log has one outcome for every change.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import {
  entriesByChange,
  jobEnded,
  restartServer,
  signInAsAdmin,
  stopServer,
  verifyServerAuditChain,
  withServerDb,
} from '../helpers/kill-and-resume.js';
import { formToken, setUpWithOrg, startServerWithEmulator, type HttpAgent } from '../helpers/server-with-org.js';

let emu: RunningEmulator;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dtm-bulk-resume-'));
beforeAll(async () => {
  emu = await startEmulator({
    clients: [{ name: 'Bulk Org', clientId: 'bulk-client', clientSecret: 'bulk-secret' }],
    seed: 'demo',
  });
});
afterAll(async () => emu.stop());

const vip = () => [...emu.orgs[0]!.tables.values()].find((t) => t.name === 'VIP Customers')!;
/** Ten rows: fewer than a CSV import is worth, so one write per row. */
const keys = () => [...vip().rows.keys()].slice(0, 10);

/** The rows of VIP Customers written (PUT) since request number `from` of the emulator's log, by key. */
function putsSince(from: number): string[] {
  return emu.requestLog
    .slice(from)
    .filter((e) => e.method === 'PUT' && e.path.includes(`/datatables/${vip().id}/rows/`))
    .map((e) => decodeURIComponent(e.path.split('/rows/')[1]!))
    .sort();
}

/**
 * Starts the server to die at its first row write, once Genesys has applied it (CRASH_AT=after_upstream: the
 * write a resumed job must not send again), sends the form that starts a job, and waits for the kill.
 */
async function crashDuring(send: (agent: HttpAgent) => Promise<unknown>, firstRun = false): Promise<void> {
  const server = await startServerWithEmulator(dataDir, emu.port, { CRASH_AT: 'after_upstream' });
  if (firstRun)
    await setUpWithOrg(server.agent, { name: 'Bulk', clientId: 'bulk-client', clientSecret: 'bulk-secret' });
  else await signInAsAdmin(server.agent);
  await send(server.agent).catch(() => undefined); // the server may die before it answers
  expect(await server.proc.exited).toBeNull(); // killed by SIGKILL (no exit code)
}

const restart = () => restartServer(dataDir, emu.port);
const withDb = <T>(fn: (db: Db) => Promise<T>) => withServerDb(dataDir, fn);

describe('kill -9 at the write steps of a bulk change and of its batch undo', () => {
  const original = new Map<string, unknown>();
  let bulkBatch = '';

  it(
    'bulk change killed after its first write reached Genesys: settled, not sent again; the rest written once',
    { timeout: 180_000 },
    async () => {
      for (const k of keys()) original.set(k, vip().rows.get(k)!.Tier);
      const from = emu.requestLog.length;
      await crashDuring(async (agent) => {
        const token = formToken((await agent.get(`/tables/${vip().id}`)).text);
        await agent
          .post(`/tables/${vip().id}/bulk/apply`)
          .type('form')
          .send(
            `_csrf=${encodeURIComponent(token)}&action=set&column=Tier&value=Crash%20test&${keys()
              .map((k) => `sel=${encodeURIComponent(k)}`)
              .join('&')}`,
          );
      }, true);
      expect(putsSince(from)).toHaveLength(1); // the first row, whose answer the server never recorded

      const server = await restart();
      try {
        const job = await jobEnded(dataDir, 'bulk');
        expect(job.status).toBe('finished');
        bulkBatch = job.batchId!;
        expect(putsSince(from)).toEqual([...keys()].sort()); // every row exactly once, across both processes
        for (const k of keys()) expect(vip().rows.get(k)!.Tier).toBe('Crash test');
        const changes = await withDb((db) => entriesByChange(db, bulkBatch));
        expect(changes.map((c) => c.key).sort()).toEqual([...keys()].sort());
        for (const c of changes)
          expect(c).toMatchObject({ intents: 1, outcomes: [expect.stringMatching(/^(applied|reconciled-applied)$/)] });
        expect(changes.filter((c) => c.outcomes[0] === 'reconciled-applied')).toHaveLength(1);
        const page = (await server.agent.get(`/jobs/${job.id}`)).text;
        expect(page).toContain('>Done<');
        expect(page).toMatch(/<li data-outcome="changed"><strong>9<\/strong>/);
        expect(page).toMatch(/<li data-outcome="confirmed"><strong>1<\/strong>/);
      } finally {
        await stopServer(server);
      }
    },
  );

  it(
    'batch undo killed after its first write reached Genesys: settled, not sent again; the rest written once',
    { timeout: 180_000 },
    async () => {
      expect(bulkBatch).not.toBe('');
      const from = emu.requestLog.length;
      await crashDuring(async (agent) => {
        const token = formToken((await agent.get(`/audit/batch/${bulkBatch}`)).text);
        await agent.post(`/audit/batch/${bulkBatch}/undo`).type('form').send({ _csrf: token });
      });
      expect(putsSince(from)).toHaveLength(1);

      const server = await restart();
      try {
        const job = await jobEnded(dataDir, 'undo');
        expect(job.status).toBe('finished');
        expect(putsSince(from)).toEqual([...keys()].sort());
        for (const k of keys()) expect(vip().rows.get(k)!.Tier).toBe(original.get(k));
        const changes = await withDb((db) => entriesByChange(db, job.batchId!));
        expect(changes.map((c) => c.key).sort()).toEqual([...keys()].sort());
        for (const c of changes)
          expect(c).toMatchObject({ intents: 1, outcomes: [expect.stringMatching(/^(applied|reconciled-applied)$/)] });
        expect(changes.filter((c) => c.outcomes[0] === 'reconciled-applied')).toHaveLength(1);
        expect((await server.agent.get(`/jobs/${job.id}`)).text).toContain(
          `Undid ${keys().length} change(s) as one new batch.`,
        );
        expect(await verifyServerAuditChain(dataDir)).toMatchObject({ ok: true });
      } finally {
        await stopServer(server);
      }
    },
  );
});
