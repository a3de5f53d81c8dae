// Benchmark: the audit page's server time with 1,000,000 hash-chained entries (built straight into SQLite,
// then verified by the same chain rules). The app runs from dist/ in its own process; one admin, 5
// concurrent requests, bounded to 15 s or 3,000 requests per case. Usage: npm run build && npm run bench:audit-page
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { GENESIS_HASH, keyedEventHash } from '../../src/features/audit/audit-chain.js';
import { loadConfig } from '../../src/config.js';
import { readSecretFile } from '../../src/lib/secret-files.js';
import { projectRoot } from '../../src/lib/paths.js';
import { freePort, waitForHealthz } from '../../tests/helpers/spawn-server.js';

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 1_000_000);
const CONCURRENCY = 5;
const PASSWORD = 'benchmark admin password';

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dtm-bench-audit-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const startApp = () =>
    spawn(process.execPath, [path.join(projectRoot, 'dist', 'src', 'server.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        DATA_DIR: dataDir,
        PORT: String(port),
        LOG_CONSOLE: 'false',
        LOG_LEVEL: 'warn',
      },
      stdio: 'inherit',
    });
  const waitUp = async () => {
    await waitForHealthz(base, 30_000);
  };
  let app = startApp();
  await waitUp();
  const setup = await fetch(`${base}/setup`);
  const cookie0 = setup.headers.get('set-cookie')!.split(';')[0]!;
  const form = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  const created = await fetch(`${base}/setup`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: cookie0, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      _csrf: form(await setup.text()),
      email: 'admin@example.com',
      displayName: 'Admin',
      password: PASSWORD,
      passwordConfirm: PASSWORD,
    }),
  });
  const cookie = created.headers.get('set-cookie')!.split(';')[0]!;
  app.kill('SIGINT');
  await once(app, 'exit');

  // 1,000,000 entries, chained exactly as the app chains them (keyed with the installation's audit key).
  const auditKey = readSecretFile(loadConfig({ DATA_DIR: dataDir }).secretFiles.auditKey, 32, 'audit key');
  const t0 = performance.now();
  const db = new Database(path.join(dataDir, 'app.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // bulk load only; the app sets its own PRAGMAs when it starts
  const last = db.prepare('SELECT seq, hash FROM "AuditEvent" ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; hash: string } | undefined;
  let prevHash = last?.hash ?? GENESIS_HASH;
  let seq = last?.seq ?? 0;
  const insert =
    db.prepare(`INSERT INTO "AuditEvent" (seq, at, actorId, actorName, ip, requestId, action, orgId, tableId, rowKey, targetUserId, before, after, details, reason, batchId, changeId, outcome, prevHash, hash)
    VALUES (@seq, @atMs, @actorId, @actorName, @ip, @requestId, @action, @orgId, @tableId, @rowKey, @targetUserId, @before, @after, @details, @reason, @batchId, @changeId, @outcome, @prevHash, @hash)`);
  const actions = ['row.updated', 'row.created', 'row.deleted'];
  const fill = db.transaction((count: number) => {
    for (let i = 0; i < count; i++) {
      seq++;
      const at = new Date(Date.UTC(2026, 0, 1) + seq * 1000);
      const e = {
        seq,
        at,
        actorId: 1,
        actorName: 'Admin <admin@example.com>',
        ip: '127.0.0.1',
        requestId: null,
        action: actions[seq % 3]!,
        orgId: `org-${seq % 3}`,
        tableId: `table-${seq % 20}`,
        rowKey: `row-${seq % 5000}`,
        targetUserId: null,
        before: JSON.stringify({ key: `row-${seq % 5000}`, Message: `before ${seq}` }),
        after: JSON.stringify({ key: `row-${seq % 5000}`, Message: `after ${seq}` }),
        details: JSON.stringify({ changed: ['Message'] }),
        reason: seq % 10 === 0 ? `ticket INC-${seq}` : null,
        batchId: null,
        changeId: `c-${seq}`,
        outcome: seq % 2 ? 'intent' : 'applied',
        prevHash,
      };
      const hash = keyedEventHash(auditKey, e);
      insert.run({ ...e, atMs: at.getTime(), hash });
      prevHash = hash;
    }
  });
  for (let done = 0; done < ENTRIES; done += 50_000) fill(Math.min(50_000, ENTRIES - done));
  db.close();
  const loadS = (performance.now() - t0) / 1000;

  app = startApp();
  await waitUp();
  const measure = async (url: string) => {
    const times: number[] = [];
    let sent = 0;
    const deadline = performance.now() + 15_000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < deadline && sent < 3000) {
          sent++;
          const res = await fetch(`${base}${url}`, { headers: { Cookie: cookie } });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
          times.push(Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1]));
        }
      }),
    );
    times.sort((a, b) => a - b);
    const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
    return `${times.length} requests, p50 ${p(0.5)} ms, p95 ${p(0.95)} ms`;
  };
  console.log(
    `node ${process.version}; ${ENTRIES.toLocaleString('en')} audit entries (bulk-loaded and chained in ${loadS.toFixed(0)} s); ${CONCURRENCY} concurrent requests, admin`,
  );
  console.log(`/audit (newest page):                      ${await measure('/audit')}`);
  console.log(`/audit?before=500000 (keyset page deep in): ${await measure('/audit?before=500000')}`);
  console.log(`/audit?rowKey=row-42 (one row's history):   ${await measure('/audit?rowKey=row-42')}`);
  console.log(
    `/audit?action=row.deleted&outcome=applied:  ${await measure('/audit?action=row.deleted&outcome=applied')}`,
  );
  console.log(`/audit?reason=INC-99 (reason text):         ${await measure('/audit?reason=INC-99')}`);
  app.kill('SIGINT');
  await once(app, 'exit');
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
