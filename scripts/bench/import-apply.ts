// Benchmark: applying an import of 5,000 new rows (issue 17) through the app's services (in this process, on a
// fresh SQLite database) against the emulator at Genesys' budget (300 requests/min per token, 50 ms latency).
// The dry run (parse, map, plan: no writes) is timed apart; the apply is the job of kind `import`: the
// pre-import backup (a read of the table), then one ChangeSet of 5,000 creates through the change engine.
// Reported: API calls, seconds, and the ratio to the floor. The floor is the time the cheapest safe method
// needs at the rate limit: its calls / 5 per second, where the cheapest safe method reads the (empty) table
// once, sends one CSV import job (create + upload + poll) and reads the table once after it to learn each
// row's outcome (pages of 500). The backup's read is counted in the app's calls, not in the floor.
// Usage: npm run bench:import-apply
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { buildSchema } from '../../src/emulator/seed.js';
import { createTable } from '../../src/emulator/tables-api.js';
import { benchServices } from './bench-services.js';

const BUDGET = 300;
const LATENCY_MS = 50;
const FLOOR_PER_SECOND = 5;
const NEW_ROWS = Number(process.env.BENCH_ROWS ?? 5000);
const PAGE = 500;
const TARGET_RATIO = 1.5;

function emptyTable(emu: RunningEmulator): string {
  const fields: [string, 'string' | 'integer' | 'boolean'][] = [
    ['Holiday', 'string'],
    ['Closed', 'boolean'],
    ['Region', 'string'],
    ['Priority', 'integer'],
  ];
  const { id } = createTable(emu.orgs[0]!, { name: 'Bench Import', schema: buildSchema(fields) }, emu.options) as {
    id: string;
  };
  return id;
}

function csvOfNewRows(): string {
  const lines = ['key,Holiday,Closed,Region,Priority'];
  for (let r = 0; r < NEW_ROWS; r++)
    lines.push(`day-${String(r).padStart(5, '0')},Holiday ${r},${r % 2 === 0},${['UK', 'US', 'ALL'][r % 3]},${r % 10}`);
  return `${lines.join('\n')}\n`;
}

function measure(emu: RunningEmulator) {
  const api = () => emu.requestLog.filter((e) => e.path.startsWith('/api/'));
  const calls0 = api().length;
  const t0 = performance.now();
  return () => ({ calls: api().length - calls0, seconds: (performance.now() - t0) / 1000 });
}

function printCalls(emu: RunningEmulator): void {
  const calls = new Map<string, number>();
  for (const e of emu.requestLog.filter((x) => x.path.startsWith('/api/'))) {
    const what = e.path.replace(/\/datatables\/[\w-]+/, '/datatables/…').replace(/\/(rows|jobs)\/.+$/, '/$1/…');
    calls.set(`${e.method} ${what} ${e.status}`, (calls.get(`${e.method} ${what} ${e.status}`) ?? 0) + 1);
  }
  console.log([...calls].map(([k, n]) => `  ${n} × ${k}`).join('\n'));
}

async function main(): Promise<void> {
  const emu = await startEmulator({
    clients: [{ name: 'Bench', clientId: 'bench', clientSecret: 'bench-secret' }],
    behaviour: { rateLimitPerMinute: BUDGET, latencyMs: LATENCY_MS },
  });
  const tableId = emptyTable(emu);
  const { services, actor, org, close } = await benchServices(emu, {
    name: 'Bench',
    clientId: 'bench',
    clientSecret: 'bench-secret',
    perMinute: BUDGET,
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dtm-bench-import-'));
  try {
    const file = path.join(dir, 'holidays.csv');
    writeFileSync(file, csvOfNewRows());
    console.log(
      `node ${process.version}; emulator: ${BUDGET} requests/min per token, ${LATENCY_MS} ms latency; floor = calls of the cheapest safe method / ${FLOOR_PER_SECOND} per second`,
    );

    let end = measure(emu);
    const draftId = await services.imports.dryRun(
      actor,
      org,
      tableId,
      { path: file, name: 'holidays.csv', size: statSync(file).size },
      { mode: 'add', allOrNothing: false },
    );
    const dry = end();
    console.log(
      `dry run of ${NEW_ROWS} new rows (parse, map, plan): ${dry.calls} API calls, ${dry.seconds.toFixed(1)} s`,
    );

    end = measure(emu);
    // BENCH_TRACE=1: every 10 s and at the end, the API calls so far by kind (where the time goes).
    const trace = process.env.BENCH_TRACE ? setInterval(() => printCalls(emu), 10_000) : null;
    const started = await services.imports.apply(actor, org, draftId, { confirmDeletes: false });
    if (!('job' in started)) throw new Error('the bench table needs no approval: expected a job');
    await services.jobs.idle();
    const applied = end();
    if (trace) {
      clearInterval(trace);
      printCalls(emu);
    }
    const job = await services.jobs.get(actor, started.job.id);
    const rows = emu.orgs[0]!.tables.get(tableId)!.rows.size;
    const floorCalls = 1 + 3 + Math.ceil(NEW_ROWS / PAGE);
    const floor = floorCalls / FLOOR_PER_SECOND;
    const ratio = applied.seconds / floor;
    console.log(
      `apply of ${NEW_ROWS} new rows (${rows} in the table after, job ${job.status}, ${job.failures.length} failed; ${job.notes.join(' ') || 'no notes'}): ${applied.calls} API calls, ${applied.seconds.toFixed(1)} s; cheapest safe method ${floorCalls} calls, floor ${floor.toFixed(1)} s; ratio ${ratio.toFixed(2)} (target <= ${TARGET_RATIO})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await close();
    await emu.stop();
  }
}

await main();
