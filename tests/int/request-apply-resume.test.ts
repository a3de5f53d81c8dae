// R4: a scheduled change request survives kill -9 during its apply and during its revert. The real server runs
// in a child process (its scheduler ticking every second on the real clock) and dies at its first row write,
// after Genesys applied it and before the app recorded that (CRASH_AT=after_upstream). Started again on the same
// DATA_DIR, the job carries on: that write is settled from Genesys (its change id follows from the request's
// batch id and the row's position), every other row is written once, and the request is applied (reverted)
// with one audit entry. The emulator's request log counts the writes.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { createRequestRepository } from '../../src/features/requests/request-repository.js';
import type { ChangeRequestWithRows } from '../../src/features/requests/request-types.js';
import { eventually } from '../helpers/eventually.js';
import {
  entriesByChange,
  restartServer,
  signInAsAdmin,
  stopServer,
  verifyServerAuditChain,
  withServerDb,
} from '../helpers/kill-and-resume.js';
import { setUpWithOrg, startServerWithEmulator } from '../helpers/server-with-org.js';

let emu: RunningEmulator;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dtm-request-resume-'));
beforeAll(async () => {
  emu = await startEmulator({
    clients: [{ name: 'Request Org', clientId: 'req-client', clientSecret: 'req-secret' }],
    seed: 'demo',
  });
});
afterAll(async () => {
  await emu.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

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

const withDb = <T>(fn: (db: Db) => Promise<T>) => withServerDb(dataDir, fn);
const requests = <T>(fn: (repo: ReturnType<typeof createRequestRepository>) => Promise<T>) =>
  withDb((db) => fn(createRequestRepository(db)));

/** Waits until the request's status is one of `statuses` (the server's scheduler and job run on their own). */
const requestReaches = (id: string, statuses: string[]) =>
  eventually(
    `the request to become ${statuses.join(' or ')}`,
    async () => {
      const r = await requests((repo) => repo.get(id));
      return r && statuses.includes(r.status) ? r : null;
    },
    { timeoutMs: 60_000, tries: 1000, maxIntervalMs: 200 },
  );

const requestEntries = (id: string, action: string) =>
  withDb(async (db) =>
    (await db.auditEvent.findMany({ where: { action } })).filter((e) => e.details?.includes(id)),
  ).then((es) => es.length);

/** Starts the server to die at its first row write once Genesys applied it; `schedule` makes something due. */
async function crashDuring(schedule: () => Promise<unknown>, firstRun = false): Promise<void> {
  const server = await startServerWithEmulator(dataDir, emu.port, { CRASH_AT: 'after_upstream' });
  if (firstRun) await setUpWithOrg(server.agent, { name: 'Req', clientId: 'req-client', clientSecret: 'req-secret' });
  else await signInAsAdmin(server.agent);
  await schedule();
  expect(await server.proc.exited).toBeNull(); // killed by SIGKILL (no exit code)
}

/** Every change of the batch: one intent, one outcome (applied, or settled as applied after the crash). */
async function eachWrittenOnce(batchId: string): Promise<void> {
  const changes = await withDb((db) => entriesByChange(db, batchId));
  expect(changes.map((c) => c.key).sort()).toEqual([...keys()].sort());
  for (const c of changes)
    expect(c).toMatchObject({ intents: 1, outcomes: [expect.stringMatching(/^(applied|reconciled-applied)$/)] });
  expect(changes.filter((c) => c.outcomes[0] === 'reconciled-applied')).toHaveLength(1);
}

describe('kill -9 during a scheduled apply and during its revert', () => {
  const original = new Map<string, unknown>();
  let id = '';

  it(
    'apply killed after its first write reached Genesys: settled, not sent again; applied once',
    { timeout: 180_000 },
    async () => {
      for (const k of keys()) original.set(k, vip().rows.get(k)!.Tier);
      const from = emu.requestLog.length;
      await crashDuring(async () => {
        // An approved request (no approval needed), due now: as the request service leaves it.
        const req: ChangeRequestWithRows = await requests(async (repo) => {
          const orgId = (await withDb((db) => db.genesysOrg.findFirstOrThrow())).id;
          const created = await repo.create({
            orgId,
            title: 'Window test',
            reason: 'kill -9',
            authorId: 1,
            authorName: 'Ada Admin <admin@example.com>',
            status: 'approved',
            rows: keys().map((key) => ({
              tableId: vip().id,
              tableName: 'VIP Customers',
              key,
              kind: 'update',
              original: { ...vip().rows.get(key)! },
              requested: { Tier: 'Window' },
            })),
          });
          await repo.update(created.id, { applyAt: new Date() });
          return created;
        });
        id = req.id;
      }, true);
      expect(putsSince(from)).toHaveLength(1); // the first row, whose answer the server never recorded

      const server = await restartServer(dataDir, emu.port);
      try {
        const req = await requestReaches(id, ['applied', 'held', 'failed']);
        expect(req.status).toBe('applied');
        expect(req.rows.every((r) => r.state === 'applied')).toBe(true);
        expect(putsSince(from)).toEqual([...keys()].sort()); // every row exactly once, across both processes
        for (const k of keys()) expect(vip().rows.get(k)!.Tier).toBe('Window');
        await eachWrittenOnce(req.batchId!);
        expect(await requestEntries(id, 'request.applied')).toBe(1);
        const job = await withDb((db) => db.job.findUniqueOrThrow({ where: { id: req.jobId! } }));
        expect(job).toMatchObject({ kind: 'request-apply', status: 'finished' });
      } finally {
        await stopServer(server);
      }
    },
  );

  it(
    'revert killed after its first write reached Genesys: settled, not sent again; reverted once',
    { timeout: 180_000 },
    async () => {
      expect(id).not.toBe('');
      const from = emu.requestLog.length;
      await crashDuring(() => requests((repo) => repo.update(id, { revertAt: new Date() })));
      expect(putsSince(from)).toHaveLength(1);

      const server = await restartServer(dataDir, emu.port);
      try {
        const req = await requestReaches(id, ['reverted', 'held', 'failed']);
        expect(req.status).toBe('reverted');
        expect(putsSince(from)).toEqual([...keys()].sort());
        for (const k of keys()) expect(vip().rows.get(k)!.Tier).toBe(original.get(k));
        await eachWrittenOnce(req.revertBatchId!);
        expect(await requestEntries(id, 'request.applied')).toBe(1);
        expect(await requestEntries(id, 'request.reverted')).toBe(1);
        expect(await verifyServerAuditChain(dataDir)).toMatchObject({ ok: true });
      } finally {
        await stopServer(server);
      }
    },
  );
});
