// Benchmark: cold start (fresh DATA_DIR: secrets generated, migrations applied) and warm start (existing
// DATA_DIR) of the built server, measured from process spawn to the first 200 from /healthz, and the idle
// server's resident memory 5 s after start-up. Run `npm run build` first, then `npm run bench:startup`.
// Bounded: 5 runs of each, loopback only.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../tests/helpers/spawn-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = 5;

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function startOnce(dataDir: string, measureRss: boolean): Promise<{ ms: number; rss?: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['dist/src/server.js'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: String(port), LOG_CONSOLE: 'false' },
    stdio: 'ignore',
  });
  const deadline = Date.now() + 30_000;
  let ms = -1;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      ms = performance.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  let rss: number | undefined;
  if (measureRss) {
    await new Promise((r) => setTimeout(r, 5000));
    rss = rssMiB(child.pid!);
  }
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  if (ms < 0) throw new Error('server did not answer within 30 s');
  return { ms, rss };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  if (!existsSync(path.join(root, 'dist', 'src', 'server.js'))) throw new Error('Run `npm run build` first.');
  const cold: number[] = [];
  const warm: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dtm-bench-'));
    cold.push((await startOnce(dataDir, false)).ms);
    const w = await startOnce(dataDir, true);
    warm.push(w.ms);
    rss.push(w.rss!);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const fmt = (xs: number[]) =>
    `median ${median(xs).toFixed(0)} (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
  console.log(`node ${process.version}, ${os.cpus().length} cores, ${RUNS} runs each`);
  console.log(`cold start (fresh DATA_DIR, migrations) to first /healthz 200: ${fmt(cold)} ms`);
  console.log(`warm start (existing DATA_DIR) to first /healthz 200:          ${fmt(warm)} ms`);
  console.log(
    `idle RSS 5 s after start: median ${median(rss).toFixed(1)} MiB (min ${Math.min(...rss).toFixed(1)}, max ${Math.max(...rss).toFixed(1)})`,
  );
}

await main();
