// Benchmark: a bulk change and its batch undo, through the app's services (in this process, on a fresh SQLite
// database) against the emulator at Genesys' budget (300 requests/min per token, 50 ms latency):
//   1. bulk set of one column on 1,000 rows of a 5,000-row table;
//   2. batch undo of that bulk change.
// Reported: API calls, seconds, and the ratio to the floor. The floor is the time the cheapest safe method
// needs at the rate limit: its calls / 5 per second, where the cheapest safe method reads the table once
// (pages of 500) and then writes either one call per row or one CSV import job (create + upload + poll, and a
// second read of the table to learn each row's outcome), whichever is fewer calls. The services are driven
// directly because a form can carry at most 500 fields (1,000 selected rows are more).
// Usage: npm run bench:bulk
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { buildSchema } from '../../src/emulator/seed.js';
import { createTable } from '../../src/emulator/tables-api.js';
import type { UndoResult } from '../../src/features/audit/undo-service.js';
import { benchServices } from './bench-services.js';

const BUDGET = 300;
const LATENCY_MS = 50;
const FLOOR_PER_SECOND = 5;
const TABLE_ROWS = 5000;
const CHANGED_ROWS = 1000;
const PAGE = 500;
const TARGET_RATIO = 1.2;

function fill(emu: RunningEmulator, rows: number): string {
  const org = emu.orgs[0]!;
  const fields: [string, 'string' | 'integer' | 'boolean'][] = [
    ['label', 'string'],
    ['priority', 'integer'],
    ['open', 'boolean'],
    ['note', 'string'],
  ];
  const { id } = createTable(org, { name: 'Bench Table', schema: buildSchema(fields) }, emu.options) as { id: string };
  const table = org.tables.get(id)!;
  for (let r = 0; r < rows; r++) {
    const key = `row-${String(r).padStart(5, '0')}`;
    table.rows.set(key, { key, label: `label ${r}`, priority: r % 10, open: r % 2 === 0, note: `note ${r}` });
  }
  return id;
}

/** BENCH_TIMELINE=1 prints each API call with its time from the start (where the seconds go). */
function measure(emu: RunningEmulator) {
  const api = () => emu.requestLog.filter((e) => e.path.startsWith('/api/'));
  const calls0 = api().length;
  const t0 = performance.now();
  const wall0 = Date.now();
  return () => {
    const calls = api().slice(calls0);
    if (process.env.BENCH_TIMELINE)
      for (const c of calls)
        console.log(
          `  ${((Date.parse(c.time) - wall0) / 1000).toFixed(2)} s ${c.method} ${c.path.replace(/\/datatables\/[\w-]+/, '/datatables/…')} ${c.status} (${c.ms.toFixed(0)} ms)`,
        );
    return { calls: calls.length, seconds: (performance.now() - t0) / 1000 };
  };
}

/** Calls of the cheapest safe method for `writes` rows of a `rows`-row table (see the header). */
function cheapestCalls(writes: number, rows: number): number {
  const pages = Math.ceil(rows / PAGE);
  return pages + Math.min(writes, 3 + pages);
}

function report(label: string, m: { calls: number; seconds: number }, floorCalls: number): void {
  const floor = floorCalls / FLOOR_PER_SECOND;
  const ratio = m.seconds / floor;
  console.log(
    `${label}: ${m.calls} API calls, ${m.seconds.toFixed(1)} s; cheapest safe method ${floorCalls} calls, floor ${floor.toFixed(1)} s; ratio ${ratio.toFixed(2)} (target <= ${TARGET_RATIO})`,
  );
}

async function main(): Promise<void> {
  const emu = await startEmulator({
    clients: [{ name: 'Bench', clientId: 'bench', clientSecret: 'bench-secret' }],
    behaviour: { rateLimitPerMinute: BUDGET, latencyMs: LATENCY_MS },
  });
  const tableId = fill(emu, TABLE_ROWS);
  const { services, actor, org, close } = await benchServices(emu, {
    name: 'Bench',
    clientId: 'bench',
    clientSecret: 'bench-secret',
    perMinute: BUDGET,
  });
  try {
    const keys = Array.from(
      { length: CHANGED_ROWS },
      (_, r) => `row-${String(r * (TABLE_ROWS / CHANGED_ROWS)).padStart(5, '0')}`,
    );
    console.log(
      `node ${process.version}; emulator: ${BUDGET} requests/min per token, ${LATENCY_MS} ms latency; floor = calls of the cheapest safe method / ${FLOOR_PER_SECOND} per second`,
    );

    // The table page has read the rows once before anyone selects them (as in the browser).
    await services.tables.rows(actor, org, tableId);
    let end = measure(emu);
    const job = await services.bulk.start(actor, org, tableId, {
      sel: keys,
      action: 'set',
      column: 'note',
      value: 'set in bulk',
    });
    await services.jobs.idle();
    const bulk = end();
    const changed = [...emu.orgs[0]!.tables.get(tableId)!.rows.values()].filter((r) => r.note === 'set in bulk').length;
    report(
      `bulk set of 1 column on ${CHANGED_ROWS} of ${TABLE_ROWS} rows (${changed} changed)`,
      bulk,
      cheapestCalls(CHANGED_ROWS, TABLE_ROWS),
    );

    end = measure(emu);
    const undoJob = await services.undo.startBatchUndo(actor, job.batchId!);
    await services.jobs.idle();
    const undone = end();
    const undoView = await services.jobs.get(actor, undoJob.id);
    const undo = undoView.result as UndoResult;
    report(
      `batch undo of it (${undo.undone} undone, ${undo.skipped.length} skipped)`,
      undone,
      cheapestCalls(CHANGED_ROWS, TABLE_ROWS),
    );
  } finally {
    await close();
    await emu.stop();
  }
}

await main();
