// The server as a process: start-up checks fail with clear messages, and Ctrl+C stops it cleanly.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, spawnServer, waitForHealthy } from '../helpers/spawn-server.js';

const tmpDataDir = () => mkdtempSync(path.join(os.tmpdir(), 'dtm-proc-'));

describe('server process', () => {
  it('starts, migrates, answers /healthz, and stops cleanly on SIGINT', async () => {
    const port = await freePort();
    const proc = spawnServer({ DATA_DIR: tmpDataDir(), PORT: String(port) });
    await waitForHealthy(port, proc);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await res.json()).toEqual({ status: 'ok', version: expect.any(String), db: 'ok' });
    expect(proc.output()).toContain(`listening on http://127.0.0.1:${port}/`);
    proc.child.kill('SIGINT');
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('stopping');
  });

  it('stops with a message naming the bad variable', async () => {
    const proc = spawnServer({ DATA_DIR: tmpDataDir(), PORT: 'eighty', SESSION_IDLE_MINUTES: 'never' });
    expect(await proc.exited).toBe(78);
    expect(proc.output()).toContain('PORT: must be a whole number from 0 to 65535 (got "eighty")');
    expect(proc.output()).toContain('SESSION_IDLE_MINUTES');
    expect(proc.output()).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('explains a port that is already taken', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const proc = spawnServer({ DATA_DIR: tmpDataDir(), PORT: String(port) });
      expect(await proc.exited).toBe(1);
      expect(proc.output()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('refuses to start when the data-encryption key file is damaged', async () => {
    const dataDir = tmpDataDir();
    mkdirSync(path.join(dataDir, 'secrets'), { recursive: true });
    writeFileSync(path.join(dataDir, 'secrets', 'data-key'), 'c2hvcnQ=\n', { mode: 0o600 });
    const proc = spawnServer({ DATA_DIR: dataDir, PORT: String(await freePort()) });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('data-encryption key file');
  });

  it('refuses to start on a corrupt database file', async () => {
    const dataDir = tmpDataDir();
    writeFileSync(path.join(dataDir, 'app.db'), 'this is not a sqlite database'.repeat(200));
    const proc = spawnServer({ DATA_DIR: dataDir, PORT: String(await freePort()) });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('start-up failed');
  });
});
