// Benchmark: the gateway against the emulator at Genesys' budget (300 requests/min per token) with 50 ms
// latency. (1) read a 5,000-row, 20-column table cold (through the row cache) and warm; (2) 200 row updates
// issued at once: completed, failed, 429s seen, and achieved requests/min against the 300 budget.
// Bounded: one 5,000-row read and 200 writes (~45 s). Usage: npm run bench:gateway
import { startEmulator } from '../../src/emulator/emulator.js';
import { buildSchema } from '../../src/emulator/seed.js';
import { GatewayRegistry } from '../../src/genesys/gateway-registry.js';
import type { Row } from '../../src/genesys/gateway.js';
import { RowCache } from '../../src/genesys/row-cache.js';
import { systemClock } from '../../src/lib/clock.js';

const BUDGET = 300;
const LATENCY_MS = 50;
const ROWS = 5000;
const COLUMNS = 20;
const UPDATES = 200;

async function main(): Promise<void> {
  const emu = await startEmulator({
    clients: [{ name: 'Bench', clientId: 'bench', clientSecret: 'bench-secret' }],
    behaviour: { rateLimitPerMinute: BUDGET, latencyMs: LATENCY_MS },
  });
  const org = emu.orgs[0]!;
  // A 5,000-row, 20-column table, filled straight into the emulator's store (not part of the measurement).
  const fields = Array.from(
    { length: COLUMNS - 1 },
    (_, i) =>
      [`col${i + 1}`, i % 4 === 0 ? 'integer' : i % 4 === 1 ? 'boolean' : i % 4 === 2 ? 'number' : 'string'] as [
        string,
        'integer' | 'boolean' | 'number' | 'string',
      ],
  );
  const { createTable } = await import('../../src/emulator/tables-api.js');
  const table = createTable(org, { name: 'Bench Table', schema: buildSchema(fields) }, emu.options) as { id: string };
  const state = org.tables.get(table.id)!;
  for (let r = 0; r < ROWS; r++) {
    const row: Record<string, string | number | boolean> = { key: `row-${String(r).padStart(5, '0')}` };
    fields.forEach(
      ([name, type], i) =>
        (row[name] =
          type === 'integer'
            ? r + i
            : type === 'boolean'
              ? r % 2 === 0
              : type === 'number'
                ? r / 7
                : `value ${r}-${i}`),
    );
    state.rows.set(String(row.key), row);
  }

  const registry = new GatewayRegistry({
    clock: systemClock,
    timeoutMs: 16_000,
    concurrency: 4,
    jobPollIntervalMs: 1000,
    jobTimeoutMs: 600_000,
    apiOverride: { host: '127.0.0.1', port: emu.port, protocol: 'http' },
  });
  const entry = registry.for('bench', {
    cacheKey: 'bench',
    label: 'Bench',
    region: 'us_east_1',
    clientId: 'bench',
    clientSecret: 'bench-secret',
    requestsPerMinute: BUDGET,
  });
  const cache = new RowCache({
    maxAgeMs: 300_000,
    clock: systemClock,
    readRows: (_org, tableId) => entry.gateway.readAllRows(tableId),
  });
  const api = () => emu.requestLog.filter((e) => e.path.startsWith('/api/'));

  let from = api().length;
  let t0 = performance.now();
  const cold = await cache.get('bench', table.id);
  const coldS = (performance.now() - t0) / 1000;
  const coldCalls = api().length - from;
  from = api().length;
  t0 = performance.now();
  const warm = await cache.get('bench', table.id);
  const warmMs = performance.now() - t0;
  const warmCalls = api().length - from;

  from = emu.requestLog.length;
  t0 = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: UPDATES }, (_, i) => {
      const row: Row = { ...cold.rows[i]!, col4: `updated ${i}` };
      return entry.gateway.updateRow(table.id, String(row.key), row);
    }),
  );
  const writeS = (performance.now() - t0) / 1000;
  const log = emu.requestLog.slice(from).filter((e) => e.path.startsWith('/api/'));
  const completed = results.filter((r) => r.status === 'fulfilled').length;
  const seen429 = log.filter((e) => e.status === 429).length;
  const arrivals = log.map((e) => Date.parse(e.time) - e.ms).sort((a, b) => a - b);
  const spanMin = (arrivals.at(-1)! - arrivals[0]!) / 60_000;
  const achieved = (log.length - 1) / spanMin;

  console.log(
    `node ${process.version}; emulator: ${BUDGET} requests/min per token, ${LATENCY_MS} ms latency; gateway concurrency 4`,
  );
  console.log(
    `cold read of ${ROWS} rows x ${COLUMNS} columns: ${cold.rows.length} rows, ${coldCalls} API calls (+1 token request), ${coldS.toFixed(2)} s`,
  );
  console.log(`warm read (row cache): ${warm.rows.length} rows, ${warmCalls} API calls, ${warmMs.toFixed(1)} ms`);
  console.log(
    `${UPDATES} updates issued at once: ${completed} completed, ${UPDATES - completed} failed, ${seen429} x 429 seen, ${writeS.toFixed(1)} s`,
  );
  console.log(
    `achieved rate: ${achieved.toFixed(0)} requests/min = ${((achieved / BUDGET) * 100).toFixed(1)}% of the ${BUDGET}/min budget`,
  );
  registry.closeAll();
  await emu.stop();
}

await main();
