// Benchmark: scheduled change requests, through the app's services (in this process, on a fresh SQLite database,
// the server's own 1 s periodic ticker on the real clock) against the emulator at Genesys' budget (300
// requests/min per token, 50 ms latency):
//   1. scheduler lag when nothing else is due: the cost of a pass that finds nothing, and the time from one
//      request's due time to its job starting (must be under 5 s);
//   2. 200 approved requests across 20 tables (one row each), all due at the same moment: time from due to
//      applied (p50/p95/max), and API calls against the floor. The floor is the calls of the cheapest safe
//      method / 5 per second; each request is its own checked write: read the row (the conflict check), write
//      it, so 2 calls a request.
// Bounded: 200 requests, and the run gives up after MAX_WAIT_MS. Usage: npm run bench:schedule
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { buildSchema } from '../../src/emulator/seed.js';
import { createTable } from '../../src/emulator/tables-api.js';
import { benchServices } from './bench-services.js';

const BUDGET = 300;
const LATENCY_MS = 50;
const FLOOR_PER_SECOND = 5;
const TABLES = 20;
const ROWS_PER_TABLE = 50;
const REQUESTS = 200;
const CALLS_PER_REQUEST = 2;
const EMPTY_PASSES = 50;
const MAX_WAIT_MS = 5 * 60_000;
const LAG_LIMIT_MS = 5000;

function fill(emu: RunningEmulator): string[] {
  const org = emu.orgs[0]!;
  const schema = buildSchema([
    ['label', 'string'],
    ['open', 'boolean'],
  ]);
  return Array.from({ length: TABLES }, (_, t) => {
    const { id } = createTable(org, { name: `Site ${t + 1}`, schema }, emu.options) as { id: string };
    const table = org.tables.get(id)!;
    for (let r = 0; r < ROWS_PER_TABLE; r++) {
      const key = `row-${String(r).padStart(3, '0')}`;
      table.rows.set(key, { key, label: `label ${r}`, open: true });
    }
    return id;
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const emu = await startEmulator({
    clients: [{ name: 'Bench', clientId: 'bench', clientSecret: 'bench-secret' }],
    behaviour: { rateLimitPerMinute: BUDGET, latencyMs: LATENCY_MS },
  });
  const tableIds = fill(emu);
  const { services, db, actor, org, close } = await benchServices(emu, {
    name: 'Schedule',
    clientId: 'bench',
    clientSecret: 'bench-secret',
    perMinute: BUDGET,
  });
  const repo = services.requestRecords;
  const api = () => emu.requestLog.filter((e) => e.path.startsWith('/api/')).length;
  /** An approved request (no approval needed) by the administrator: one row of `tableId` closed at `at`. */
  const request = async (tableId: string, key: string, at: Date) => {
    const row = emu.orgs[0]!.tables.get(tableId)!.rows.get(key)!;
    const created = await repo.create({
      orgId: org.id,
      title: `Close ${key}`,
      reason: 'bench',
      authorId: actor.userId,
      authorName: actor.name,
      status: 'approved',
      rows: [{ tableId, tableName: '', key, kind: 'update', original: { ...row }, requested: { open: false } }],
    });
    await repo.update(created.id, { applyAt: at });
    return created.id;
  };
  const stored = (id: string) => db.changeRequest.findUniqueOrThrow({ where: { id } });
  try {
    console.log(
      `node ${process.version}; emulator: ${BUDGET} requests/min per token, ${LATENCY_MS} ms latency; floor = ${CALLS_PER_REQUEST} calls a request / ${FLOOR_PER_SECOND} per second`,
    );
    // The table list is read once before (as the table pages do): the measured calls are the requests' own.
    for (const id of tableIds.slice(0, 1)) await services.tables.rows(actor, org, id);

    // 1. Nothing due: what a pass costs, and how soon one request due now starts.
    const t0 = performance.now();
    for (let i = 0; i < EMPTY_PASSES; i++) await services.requestScheduler.run();
    const emptyPassMs = (performance.now() - t0) / EMPTY_PASSES;
    services.periodic.start();
    const single = await request(tableIds[0]!, 'row-049', new Date(Date.now() + 1500));
    while ((await stored(single)).status !== 'applied') await new Promise((r) => setTimeout(r, 50));
    const one = await stored(single);
    // Due -> its job created: what the scheduler itself adds (the write after it is the gateway's pace).
    const lag =
      (await db.job.findUniqueOrThrow({ where: { id: one.jobId! } })).createdAt.getTime() - one.applyAt!.getTime();
    console.log(
      `scheduler, nothing due: a pass takes ${emptyPassMs.toFixed(2)} ms (${EMPTY_PASSES} passes); one due request started ${seconds(lag)} after its time, applied ${seconds(one.appliedAt!.getTime() - one.applyAt!.getTime())} after it (limit ${seconds(LAG_LIMIT_MS)}: ${lag < LAG_LIMIT_MS ? 'met' : 'NOT met'})`,
    );

    // 2. 200 requests across 20 tables, all due at the same moment.
    const dueAt = new Date(Date.now() + 5000);
    const ids: string[] = [];
    for (let i = 0; i < REQUESTS; i++)
      ids.push(await request(tableIds[i % TABLES]!, `row-${String(Math.floor(i / TABLES)).padStart(3, '0')}`, dueAt));
    while (Date.now() < dueAt.getTime()) await new Promise((r) => setTimeout(r, 20));
    const calls0 = api();
    const deadline = Date.now() + MAX_WAIT_MS;
    let settled = 0;
    while (Date.now() < deadline) {
      settled = await db.changeRequest.count({
        where: { id: { in: ids }, status: { notIn: ['approved', 'applying'] } },
      });
      if (settled === ids.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await services.jobs.idle();
    const calls = api() - calls0;
    const done = await db.changeRequest.findMany({ where: { id: { in: ids } } });
    const applied = done.filter((r) => r.status === 'applied');
    const latencies = applied.map((r) => r.appliedAt!.getTime() - dueAt.getTime()).sort((a, b) => a - b);
    const written =
      ids.length - (await db.changeRequestRow.count({ where: { requestId: { in: ids }, state: { not: 'applied' } } }));
    const floorCalls = REQUESTS * CALLS_PER_REQUEST;
    const floorMs = (floorCalls / FLOOR_PER_SECOND) * 1000;
    const maxMs = latencies.at(-1) ?? NaN;
    console.log(
      `${REQUESTS} requests across ${TABLES} tables due at once: ${applied.length} applied (${written} rows written), ${done.length - applied.length} other; due -> applied p50 ${seconds(percentile(latencies, 50))}, p95 ${seconds(percentile(latencies, 95))}, max ${seconds(maxMs)}`,
    );
    console.log(
      `API calls: ${calls} (floor ${floorCalls} calls = ${seconds(floorMs)} at ${FLOOR_PER_SECOND}/s); last applied at ${(maxMs / floorMs).toFixed(2)} x the floor`,
    );
    if (applied.length !== REQUESTS) process.exitCode = 1;
  } finally {
    await close();
    await emu.stop();
  }
}

await main();
