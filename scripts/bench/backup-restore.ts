// Benchmark: backup and restore through the app (built, in its own process) against the emulator at
// Genesys' budget (300 requests/min per token) with 50 ms latency:
//   1. backup of 20 tables x 2,000 rows;
//   2. restore of a 5,000-row table where 50 rows differ;
//   3. restore of that table where every row differs.
// Each restore runs twice: RESTORE_WRITE_METHOD=auto (a CSV import job when that takes fewer calls) and
// =rows (one call per row). Reported: API calls, seconds, and the ratio to the rate-limit floor (calls / 5
// per second). The all-rows-differ case one call per row would take ~35 minutes, so it is measured for
// ROWS_SAMPLE_SECONDS and extrapolated from its measured pace (the pace is set by the rate limit, so it is
// linear). Bounded: about 6 minutes. Usage: npm run build && npm run bench:backup-restore
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { buildSchema } from '../../src/emulator/seed.js';
import { touchRows } from '../../src/emulator/store.js';
import { createTable } from '../../src/emulator/tables-api.js';
import { projectRoot } from '../../src/lib/paths.js';
import { formToken } from '../../tests/helpers/server-with-org.js';
import { freePort, waitForHealthz } from '../../tests/helpers/spawn-server.js';

const BUDGET = 300;
const LATENCY_MS = 50;
const FLOOR_PER_SECOND = 5;
const ROWS_SAMPLE_SECONDS = 90;
const MAX_WAIT_SECONDS = 900;
const PASSWORD = 'benchmark admin password';
type Agent = ReturnType<typeof supertest.agent>;

function fill(emu: RunningEmulator, name: string, rows: number, columns: number): string {
  const org = emu.orgs[0]!;
  const fields = Array.from(
    { length: columns - 1 },
    (_, i) =>
      [`col${i + 1}`, (['string', 'integer', 'boolean', 'number'] as const)[i % 4]] as [
        string,
        'string' | 'integer' | 'boolean' | 'number',
      ],
  );
  const { id } = createTable(org, { name, schema: buildSchema(fields) }, emu.options) as { id: string };
  const table = org.tables.get(id)!;
  for (let r = 0; r < rows; r++) {
    const row: Record<string, string | number | boolean> = { key: `row-${String(r).padStart(5, '0')}` };
    fields.forEach(
      ([f, type], i) =>
        (row[f] =
          type === 'integer'
            ? r + i
            : type === 'boolean'
              ? r % 2 === 0
              : type === 'number'
                ? r / 8
                : `value ${r}-${i}`),
    );
    table.rows.set(String(row.key), row);
  }
  return id;
}

async function startApp(
  emu: RunningEmulator,
  method: 'auto' | 'rows',
): Promise<{ agent: Agent; app: ChildProcess; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dtm-bench-br-'));
  const port = await freePort();
  const app = spawn(process.execPath, [path.join(projectRoot, 'dist', 'src', 'server.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_CONSOLE: 'false',
      LOG_LEVEL: 'warn',
      GENESYS_API_OVERRIDE: `http://127.0.0.1:${emu.port}`,
      RESTORE_WRITE_METHOD: method,
    },
    stdio: 'inherit',
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHealthz(base, 30_000);
  const agent = supertest.agent(base);
  const setupToken = formToken((await agent.get('/setup')).text);
  await agent
    .post('/setup')
    .type('form')
    .send({
      _csrf: setupToken,
      email: 'admin@example.com',
      displayName: 'Admin',
      password: PASSWORD,
      passwordConfirm: PASSWORD,
    })
    .expect(303);
  const orgToken = formToken((await agent.get('/admin/orgs/new')).text);
  await agent
    .post('/admin/orgs')
    .type('form')
    .send({
      _csrf: orgToken,
      name: 'Bench',
      region: 'us_east_1',
      clientId: 'bench',
      clientSecret: 'bench-secret',
      color: 'blue',
      requestsPerMinute: String(BUDGET),
    })
    .expect(303);
  return { agent, app, dataDir };
}

async function waitFor(
  agent: Agent,
  url: string,
  done: (html: string) => boolean,
  maxSeconds = MAX_WAIT_SECONDS,
): Promise<string> {
  const deadline = Date.now() + maxSeconds * 1000;
  for (;;) {
    const html = (await agent.get(url)).text;
    if (done(html) || Date.now() > deadline) return html;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function measure(emu: RunningEmulator) {
  const api = () => emu.requestLog.filter((e) => e.path.startsWith('/api/')).length;
  const calls0 = api();
  const t0 = performance.now();
  return () => ({ calls: api() - calls0, seconds: (performance.now() - t0) / 1000 });
}

const report = (label: string, m: { calls: number; seconds: number }, note = '') =>
  console.log(
    `${label}: ${m.calls} API calls, ${m.seconds.toFixed(1)} s; floor ${(m.calls / FLOOR_PER_SECOND).toFixed(1)} s; ratio ${(m.seconds / (m.calls / FLOOR_PER_SECOND)).toFixed(2)}${note}`,
  );

async function backupOf(agent: Agent, tableIds: string[]): Promise<string> {
  const t = formToken((await agent.get('/backups')).text);
  const res = await agent.post('/backups').type('form').send({ _csrf: t, table: tableIds }).expect(303);
  const html = await waitFor(
    agent,
    res.headers.location!,
    (h) => h.includes('Backup ready') || h.includes('Backup failed'),
  );
  return /\/backups\/([\w-]+)\/download/.exec(html)![1]!;
}

async function restore(
  agent: Agent,
  emu: RunningEmulator,
  backupId: string,
  label: string,
  sampleSeconds?: number,
): Promise<void> {
  const url = `/backups/${backupId}/restore`;
  const t = formToken((await agent.get(url)).text);
  const end = measure(emu);
  const res = await agent.post(url).type('form').send({ _csrf: t }).expect(303);
  const html = await waitFor(agent, res.headers.location!, (h) => !h.includes('Restoring…'), sampleSeconds);
  const m = end();
  const [, done, total] = /id="restore-done">(\d+)<\/span> of (\d+)/.exec(html)!.map(Number) as [
    number,
    number,
    number,
  ];
  if (done < total) {
    // Stopped at the sample time: extrapolate from the measured pace.
    const perRow = m.seconds / done;
    const callsPerRow = m.calls / done;
    report(
      label,
      { calls: Math.round(callsPerRow * total), seconds: perRow * total },
      ` (extrapolated from ${done} of ${total} rows in ${m.seconds.toFixed(0)} s)`,
    );
  } else report(label, m, html.includes('failed') ? ' (some rows failed!)' : '');
}

async function main(): Promise<void> {
  const emu = await startEmulator({
    clients: [{ name: 'Bench', clientId: 'bench', clientSecret: 'bench-secret' }],
    behaviour: { rateLimitPerMinute: BUDGET, latencyMs: LATENCY_MS },
  });
  const small = Array.from({ length: 20 }, (_, i) =>
    fill(emu, `Backup Table ${String(i + 1).padStart(2, '0')}`, 2000, 8),
  );
  const bigId = fill(emu, 'Restore Table', 5000, 20);
  const big = emu.orgs[0]!.tables.get(bigId)!;
  const original = new Map(big.rows);
  const change = (n: number) => {
    [...original.keys()].slice(0, n).forEach((k, i) => big.rows.set(k, { ...original.get(k)!, col1: `changed ${i}` }));
    touchRows(big);
  };
  console.log(
    `node ${process.version}; emulator: ${BUDGET} requests/min per token, ${LATENCY_MS} ms latency; floor = calls / ${FLOOR_PER_SECOND} per second`,
  );

  for (const method of ['auto', 'rows'] as const) {
    const { agent, app, dataDir } = await startApp(emu, method);
    try {
      if (method === 'auto') {
        const end = measure(emu);
        await backupOf(agent, small);
        report('backup of 20 tables x 2,000 rows x 8 columns', end());
      }
      const backupId = await backupOf(agent, [bigId]);
      change(50);
      await restore(agent, emu, backupId, `restore 5,000 rows, 50 differ (RESTORE_WRITE_METHOD=${method})`);
      change(5000);
      await restore(
        agent,
        emu,
        backupId,
        `restore 5,000 rows, all differ (RESTORE_WRITE_METHOD=${method})`,
        method === 'rows' ? ROWS_SAMPLE_SECONDS : undefined,
      );
    } finally {
      app.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
    big.rows = new Map(original);
    touchRows(big);
  }
  await emu.stop();
}

await main();
