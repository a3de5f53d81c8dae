// ./run.sh as a user runs it: Node checks with clear messages, then install-if-needed, build-if-needed,
// migrate, serve, and a clean stop on Ctrl+C (SIGINT).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/lib/paths.js';
import { freePort } from '../helpers/spawn-server.js';

const runSh = path.join(projectRoot, 'run.sh');

function fakeNodeDir(version: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dtm-fake-node-'));
  const fake = path.join(dir, 'node');
  writeFileSync(fake, `#!/bin/sh\nif [ "$1" = "-v" ]; then echo v${version}; exit 0; fi\nexit 1\n`);
  chmodSync(fake, 0o755);
  return dir;
}

describe('run.sh', () => {
  it('explains a missing Node.js', () => {
    const res = spawnSync('/bin/sh', [runSh], { env: { PATH: '/nonexistent' }, encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('Node.js 20.19 or newer is required but was not found');
  });

  it('explains a Node.js that is too old', () => {
    const res = spawnSync('/bin/sh', [runSh], {
      env: { PATH: `${fakeNodeDir('18.19.0')}:/usr/bin:/bin` },
      encoding: 'utf8',
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('Node.js v18.19.0 is too old: 20.19 or newer is required');
  });

  it('builds, migrates, serves on 127.0.0.1 and stops cleanly on Ctrl+C', async () => {
    // node_modules is already installed for this checkout: record it so the launcher skips `npm ci`.
    const lockHash = createHash('sha256')
      .update(readFileSync(path.join(projectRoot, 'package-lock.json')))
      .digest('hex');
    writeFileSync(path.join(projectRoot, 'node_modules', '.dtm-lock-hash'), `${lockHash}\n`);
    const port = await freePort();
    const child = spawn(runSh, [], {
      cwd: os.tmpdir(), // run.sh must work from any directory
      env: {
        PATH: process.env.PATH ?? '',
        HOME: os.tmpdir(),
        NO_BROWSER: '1',
        PORT: String(port),
        DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'dtm-run-')),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 120_000;
    let healthy = false;
    while (!healthy && Date.now() < deadline && child.exitCode === null) {
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!healthy) await new Promise((r) => setTimeout(r, 300));
    }
    expect(healthy, out).toBe(true);
    expect(out).not.toContain('Installing dependencies');
    expect(out).toContain(`listening on http://127.0.0.1:${port}/`);
    const page = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
    expect(page.headers.get('location')).toBe('/setup');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('stopping');
  });
});
