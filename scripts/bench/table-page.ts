// Benchmark: the table page with a search term, a filter and a sort on a cached 5,000-row, 20-column table,
// under 20 concurrent signed-in users on loopback (bounded: 15 s or 6,000 requests). Server time is read from
// the Server-Timing header the app sets on every response. The app runs from dist/ (npm run build first). Also: "Reload from Genesys" to a rendered page
// against the emulator at 300 requests/min and 50 ms latency. Usage: npm run bench:table-page
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { configureDb, createDb, databasePath } from '../../src/db/database.js';
import { startEmulator } from '../../src/emulator/emulator.js';
import { buildSchema } from '../../src/emulator/seed.js';
import { createTable } from '../../src/emulator/tables-api.js';
import { createPasswordHasher } from '../../src/lib/passwords.js';
import { projectRoot } from '../../src/lib/paths.js';
import { loadAppSecrets } from '../../src/lib/secret-files.js';
import { freePort, waitForHealthz } from '../../tests/helpers/spawn-server.js';
import { benchRows } from './bench-table.js';

const USERS = Number(process.env.BENCH_USERS ?? 20);
/** Mean pause between a user's page views (0 = a closed loop with no think time, the harshest case). */
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 0);
const MAX_SECONDS = 15;
const MAX_REQUESTS = 6000;
const PASSWORD = 'benchmark user password';

async function main(): Promise<void> {
  const emu = await startEmulator({
    clients: [{ name: 'Bench', clientId: 'bench', clientSecret: 'bench-secret' }],
    behaviour: { rateLimitPerMinute: 300, latencyMs: 50 },
  });
  const { fields, rows } = benchRows();
  const org = emu.orgs[0]!;
  const { id: tableId } = createTable(org, { name: 'Bench Table', schema: buildSchema(fields) }, emu.options) as {
    id: string;
  };
  for (const row of rows) org.tables.get(tableId)!.rows.set(String(row.key), row);

  // The app runs in its own process, as in production, so the load generator does not share its event loop.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dtm-bench-'));
  const port = await freePort();
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const app = spawn(process.execPath, [...profile, path.join(projectRoot, 'dist', 'src', 'server.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_CONSOLE: 'false',
      LOG_LEVEL: 'warn',
      GENESYS_API_OVERRIDE: `http://127.0.0.1:${emu.port}`,
    },
    stdio: 'inherit',
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHealthz(base, 20_000);

  // Setup through the app itself: the wizard creates the admin, the admin adds the org.
  const setupPage = await fetch(`${base}/setup`);
  let cookie = setupPage.headers.get('set-cookie')!.split(';')[0]!;
  const form = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  const post = (url: string, c: string, body: Record<string, string>) =>
    fetch(`${base}${url}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: c, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body),
    });
  const created = await post('/setup', cookie, {
    _csrf: form(await setupPage.text()),
    email: 'admin@example.com',
    displayName: 'Admin',
    password: PASSWORD,
    passwordConfirm: PASSWORD,
  });
  cookie = created.headers.get('set-cookie')!.split(';')[0]!;
  const orgForm = await fetch(`${base}/admin/orgs/new`, { headers: { Cookie: cookie } });
  await post('/admin/orgs', cookie, {
    _csrf: form(await orgForm.text()),
    name: 'Bench',
    region: 'us_east_1',
    clientId: 'bench',
    clientSecret: 'bench-secret',
    color: 'blue',
    requestsPerMinute: '300',
  });

  const db = createDb(databasePath(dataDir));
  await configureDb(db);
  const hasher = createPasswordHasher(loadAppSecrets(loadConfig({ DATA_DIR: dataDir }).secretFiles).passwordPepper);
  const orgId = (await db.genesysOrg.findFirstOrThrow()).id;
  const passwordHash = await hasher.hash(PASSWORD);
  const users = await Promise.all(
    Array.from({ length: USERS }, async (_, i) => {
      const u = await db.user.create({
        data: { email: `user${i}@example.com`, displayName: `User ${i}`, passwordHash },
      });
      await db.tablePermission.create({
        data: {
          userId: u.id,
          orgId,
          tableId,
          canView: true,
          canEdit: true,
          defaultColumnAccess: 'read',
          columns: { create: [{ column: 'col19', access: 'hidden' }] },
        },
      });
      return u;
    }),
  );

  async function signIn(email: string): Promise<string> {
    const login = await fetch(`${base}/login`);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
    const res = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, email, password: PASSWORD }),
    });
    return res.headers.get('set-cookie')!.split(';')[0]!;
  }
  const cookies = await Promise.all(users.map((u) => signIn(u.email)));
  const pageUrl = `${base}/tables/${tableId}?q=echo&c0=col2&o0=gte&v0=200&sort=col4&dir=desc&pageSize=50`;
  const serverMs = (res: Response) => Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN);

  // Cold: the first view reads the table from Genesys (row cache empty).
  const coldStart = performance.now();
  const cold = await fetch(pageUrl, { headers: { Cookie: cookies[0]! } });
  const coldHtml = await cold.text();
  const coldMs = performance.now() - coldStart;
  if (cold.status !== 200 || !/id="match-count">(\d+) of 5000/.test(coldHtml))
    throw new Error(`unexpected page: ${cold.status}`);

  const times: number[] = [];
  let sent = 0;
  const deadline = performance.now() + MAX_SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    cookies.map(async (cookie) => {
      while (performance.now() < deadline && sent < MAX_REQUESTS) {
        sent++;
        const res = await fetch(pageUrl, { headers: { Cookie: cookie } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`status ${res.status}`);
        times.push(serverMs(res));
        if (THINK_MS) await new Promise((r) => setTimeout(r, Math.random() * 2 * THINK_MS));
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!.toFixed(1);

  // "Reload from Genesys" to a rendered page (fresh read of 5,000 rows at 300/min, 50 ms latency).
  const token = /name="_csrf" value="([^"]+)"/.exec(coldHtml)![1]!;
  const reloadStart = performance.now();
  const reload = await fetch(`${base}/tables/${tableId}/reload`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: cookies[0]!, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token }),
  });
  const rendered = await fetch(new URL(reload.headers.get('location')!, base), { headers: { Cookie: cookies[0]! } });
  await rendered.text();
  const reloadMs = performance.now() - reloadStart;

  console.log(
    `node ${process.version}; 5,000 rows x 20 columns (1 hidden from the users), ${USERS} concurrent signed-in users on loopback, ${THINK_MS ? `think time 0-${2 * THINK_MS} ms between views` : 'no think time'}`,
  );
  console.log(
    `table page with search + filter + sort: ${times.length} requests in ${elapsed.toFixed(1)} s (${(times.length / elapsed).toFixed(0)}/s); server time p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms`,
  );
  console.log(
    `first view (cold cache, reads 5,000 rows from the emulator at 300/min + 50 ms): ${coldMs.toFixed(0)} ms`,
  );
  console.log(`"Reload from Genesys" to a rendered page: ${reloadMs.toFixed(0)} ms`);
  app.kill('SIGINT');
  await once(app, 'exit');
  await db.$disconnect();
  await emu.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
