// One-time setup token when the server listens beyond loopback (issue 12, item 18).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/features/setup/setup-token.js';
import { ADMIN, completeSetup, createTestApp, csrfFrom, type TestApp } from '../helpers/test-app.js';
import { freePort, spawnServer, waitForHealthy } from '../helpers/spawn-server.js';
import { eventually } from '../helpers/eventually.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function submitSetup(app: TestApp, setupToken?: string) {
  const agent = app.agent();
  const token = await csrfFrom(agent, '/setup');
  return agent
    .post('/setup')
    .type('form')
    .send({ _csrf: token, ...ADMIN, passwordConfirm: ADMIN.password, setupToken });
}

describe('setup token on a non-loopback address', () => {
  it('the first visitor cannot become the admin without the console token; with it they can, once', async () => {
    t = await createTestApp({ env: { HOST: '0.0.0.0' } });
    const printed = t.services.setup.setupTokenToAnnounce()!;
    expect(printed).toMatch(/^[\w-]{24}$/);
    expect((await t.agent().get('/setup')).text).toContain('name="setupToken"');

    const missing = await submitSetup(t);
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Enter the setup token shown in the console');
    const wrong = await submitSetup(t, 'a guessed token value');
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('That is not the setup token');
    expect(wrong.text).not.toContain(printed);
    expect(await t.db.user.count()).toBe(0);
    expect(t.logs.entries().some((e) => e.event === 'setup.token_rejected')).toBe(true);

    expect((await submitSetup(t, ` ${printed} `)).status).toBe(303); // pasted with spaces around it
    expect(await t.db.user.count()).toBe(1);
    expect(t.services.setup.setupTokenToAnnounce()).toBeNull(); // spent
    expect((await t.agent().get('/setup')).status).toBe(404); // the wizard is gone with it
    expect(await t.db.user.count()).toBe(1);
    expect(t.logs.lines.join('\n')).not.toContain(printed);
  });

  it('a token from another start does not work', async () => {
    const other = await createTestApp({ env: { HOST: '0.0.0.0' } });
    const othersToken = other.services.setup.setupTokenToAnnounce()!;
    await other.close();
    t = await createTestApp({ env: { HOST: '0.0.0.0' } });
    expect((await submitSetup(t, othersToken)).status).toBe(400);
    expect(await t.db.user.count()).toBe(0);
  });

  it('on loopback no token is asked for (the first visitor on this machine sets up)', async () => {
    t = await createTestApp({ env: { HOST: '127.0.0.1' } });
    expect(t.services.setup.setupTokenToAnnounce()).toBeNull();
    expect((await t.agent().get('/setup')).text).not.toContain('name="setupToken"');
    await completeSetup(t);
    expect(await t.db.user.count()).toBe(1);
  });

  it('knows which addresses are loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '::ffff:10.0.0.1', '128.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe('the real server', () => {
  it('prints the token on the console, never in the JSON log file, and the token works', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dtm-token-'));
    const port = await freePort();
    const proc = spawnServer({ HOST: '0.0.0.0', PORT: String(port), DATA_DIR: dataDir, NODE_ENV: 'test' });
    try {
      await waitForHealthy(port, proc);
      const token = await eventually(
        'the setup token on the console',
        () => /setup token:\s+([\w-]{24})/.exec(proc.output())?.[1],
        { timeoutMs: 10_000 },
      ).catch(() => undefined);
      expect(token, proc.output()).toBeTruthy();
      const logDir = path.join(dataDir, 'logs');
      const logText = readdirSync(logDir)
        .map((f) => readFileSync(path.join(logDir, f), 'utf8'))
        .join('\n');
      expect(logText).toContain('setup.token_printed');
      expect(logText).not.toContain(token);
      const agent = supertest.agent(`http://127.0.0.1:${port}`);
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/setup')).text)![1];
      const created = await agent
        .post('/setup')
        .type('form')
        .send({ _csrf: csrf, ...ADMIN, passwordConfirm: ADMIN.password, setupToken: token });
      expect(created.status).toBe(303);
    } finally {
      proc.child.kill('SIGINT');
      await proc.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
