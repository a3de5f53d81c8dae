// Starts the real server as a child process (the way run.sh and `npm start` do) on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { projectRoot } from '../../src/lib/paths.js';
import { eventually, StopWaiting } from './eventually.js';

// Ports come from a slice below Linux's ephemeral range (32768+) that belongs to this test worker alone. A port
// the OS hands out (listen(0)) is closed again before the child binds it, and in that gap another worker's
// listen(0) could take the same number: the child then dies with EADDRINUSE while /healthz answers from the
// other worker's server, and the test fails later with ECONNREFUSED (seen once in CI). Slices never overlap.
const SLICE = 1500;
const sliceStart = 20_000 + ((Number(process.env.VITEST_POOL_ID ?? process.pid) || 0) % 8) * SLICE;
let nextInSlice = Math.floor(Math.random() * SLICE);

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < SLICE; tries++) {
    const port = sliceStart + (nextInSlice++ % SLICE);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${sliceStart}-${sliceStart + SLICE - 1}`);
}

export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `entry` 'src' runs the TypeScript sources with tsx; 'dist' runs the build like `npm start`. */
export function spawnServer(env: Record<string, string>, entry: 'src' | 'dist' = 'src'): ServerProcess {
  const args =
    entry === 'src' ? ['--import', 'tsx', path.join('src', 'server.ts')] : [path.join('dist', 'src', 'server.js')];
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_CONSOLE: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Polls GET /healthz until it answers 200 (bounded by `timeoutMs`); fails at once if the server exits. */
export async function waitForHealthy(port: number, proc: ServerProcess, timeoutMs = 30_000): Promise<void> {
  await eventually(
    `the server on port ${port} to answer GET /healthz with 200`,
    async () => {
      if (proc.child.exitCode !== null) {
        // Its last words may still be in the pipes when the exit code is set: wait until they are read.
        if (proc.child.stdout && !proc.child.stdout.readableEnded) await once(proc.child, 'close');
        throw new StopWaiting(`server exited early (${proc.child.exitCode}):\n${proc.output()}`);
      }
      return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
    },
    { timeoutMs, intervalMs: 20, maxIntervalMs: 200 },
  );
}

/** Polls `${base}/healthz` until it answers 200 (bounded): for a server started some other way (the benches). */
export async function waitForHealthz(base: string, timeoutMs = 30_000): Promise<void> {
  await eventually(
    `${base}/healthz to answer 200`,
    async () =>
      await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    { timeoutMs, intervalMs: 100 },
  );
}
