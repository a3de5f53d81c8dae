// Benchmark: the emulator's own throughput for single-row GETs (showbrief=false) on one core. The emulator
// runs as its own process (one Node event loop = one core); this process generates the load over loopback
// with keep-alive connections. Bounded: at most 60,000 requests or 15 s of load after a 2 s warm-up.
// Usage: npm run bench:emulator [-- --concurrency 32]
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({ options: { concurrency: { type: 'string', default: '32' } } });
const CONCURRENCY = Number(values.concurrency);
const MAX_REQUESTS = 60_000;
const MAX_SECONDS = 15;

async function main(): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      path.join(root, 'src', 'emulator', 'cli.ts'),
      '--port',
      '0',
      '--client-id',
      'bench',
      '--client-secret',
      'bench-secret',
      '--rate-limit',
      '100000000',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const url = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
    });
    const tokenRes = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from('bench:bench-secret').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const headers = {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    };
    const list = (await (await fetch(`${url}/api/v2/flows/datatables?name=VIP*`, { headers })).json()) as {
      entities: { id: string }[];
    };
    const tableId = list.entities[0]!.id;
    const keyFor = (i: number) => encodeURIComponent(`+44 20 7946 ${String(1000 + (i % 2000)).padStart(4, '0')}`);

    const run = async (seconds: number, record: boolean) => {
      const latencies: number[] = [];
      let sent = 0;
      let errors = 0;
      const deadline = performance.now() + seconds * 1000;
      const worker = async () => {
        while (performance.now() < deadline && sent < MAX_REQUESTS) {
          const i = sent++;
          const t0 = performance.now();
          const res = await fetch(`${url}/api/v2/flows/datatables/${tableId}/rows/${keyFor(i)}?showbrief=false`, {
            headers,
          });
          await res.arrayBuffer();
          if (res.status !== 200) errors++;
          if (record) latencies.push(performance.now() - t0);
        }
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      return { elapsed: (performance.now() - started) / 1000, sent, errors, latencies };
    };
    await run(2, false);
    const r = await run(MAX_SECONDS, true);
    r.latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      r.latencies[Math.min(r.latencies.length - 1, Math.floor((p / 100) * r.latencies.length))]!.toFixed(2);
    console.log(
      `node ${process.version}; emulator in its own process (1 core), load from this process over loopback, ${CONCURRENCY} concurrent keep-alive clients`,
    );
    console.log(
      `single-row GET (showbrief=false) on a 2,000-row table: ${r.sent} requests in ${r.elapsed.toFixed(1)} s = ${(r.sent / r.elapsed).toFixed(0)} requests/s, errors ${r.errors}`,
    );
    console.log(`latency ms: p50 ${pct(50)}, p95 ${pct(95)}, p99 ${pct(99)}`);
  } finally {
    child.kill('SIGINT');
  }
}

await main();
