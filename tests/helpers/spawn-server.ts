// Starts the real server as a child process (the way run.sh and `npm start` do) on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { projectRoot } from '../../src/lib/paths.js';
import { eventually, StopWaiting } from './eventually.js';

export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
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
