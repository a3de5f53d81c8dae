import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  completeSetup,
  createTestApp,
  createUser,
  flushedLogFiles,
  signIn,
  type Agent,
  type TestApp,
} from '../helpers/test-app.js';

let t: TestApp;
let admin: Agent;
beforeEach(async () => {
  t = await createTestApp();
  admin = await completeSetup(t);
});
afterEach(async () => t.close());

const errorIdOf = (html: string) => /Error id: <code>([0-9a-f]{12})<\/code>/.exec(html)?.[1];

describe('error pages', () => {
  it('404 shows an error id that is also in the log', async () => {
    const res = await admin.get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page not found');
    const id = errorIdOf(res.text);
    expect(id).toBeTruthy();
    expect(t.logs.entries().some((e) => e.errorId === id && e.status === 404)).toBe(true);
  });

  it('403 shows an error id', async () => {
    await createUser(t, { email: 'u@example.com', displayName: 'U', password: 'user has long password' });
    const { agent } = await signIn(t, 'u@example.com', 'user has long password');
    const res = await agent.get('/setup/connect');
    expect(res.status).toBe(403);
    expect(res.text).toContain('Access denied');
    expect(errorIdOf(res.text)).toBeTruthy();
  });

  it('500 shows a generic message and an error id, never the stack or the internal message', async () => {
    vi.spyOn(t.services.users, 'findById').mockRejectedValueOnce(
      new Error('SQLITE_CORRUPT at /srv/secret/path.db: INTERNAL-CANARY'),
    );
    const res = await admin.get('/');
    expect(res.status).toBe(500);
    expect(res.text).toContain('Something went wrong');
    expect(res.text).not.toContain('INTERNAL-CANARY');
    expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(res.text).not.toContain('/srv/secret');
    const id = errorIdOf(res.text);
    const logged = t.logs.entries().find((e) => e.errorId === id);
    expect(logged).toMatchObject({ level: 'error', status: 500 });
    expect(JSON.stringify(logged)).toContain('INTERNAL-CANARY'); // the cause is in the log for the admin
  });

  it('answers JSON errors to API clients', async () => {
    const res = await admin.get('/nothing').set('Accept', 'application/json');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { status: 404, message: expect.any(String), errorId: expect.stringMatching(/^[0-9a-f]{12}$/) },
    });
  });

  it('rejects oversized bodies (413) and forms with too many fields, with a clear page', async () => {
    const big = await t
      .agent()
      .post('/login')
      .type('form')
      .send({ email: 'x'.repeat(200_000) });
    expect(big.status).toBe(413);
    expect(big.text).toContain('larger than this server accepts');
    const many = await t
      .agent()
      .post('/login')
      .type('form')
      .send(Array.from({ length: 600 }, (_, i) => `f${i}=1`).join('&'));
    expect(many.status).toBe(413);
  });

  it('writes JSON log lines with UTC timestamps to DATA_DIR/logs', async () => {
    await admin.get('/no/such/page');
    const files = await flushedLogFiles(t);
    expect(files.length).toBeGreaterThan(0);
    const lines = files[0]!.text.trim().split('\n');
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(String(entry.timestamp)).toMatch(/Z$/);
    }
  });
});

describe('GET /healthz', () => {
  it('reports ok without a login and reveals nothing else', async () => {
    const res = await t.agent().get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', version: '0.0.0-test', db: 'ok' });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('answers 503 when the database is unusable', async () => {
    vi.spyOn(t.db, '$queryRawUnsafe').mockRejectedValueOnce(new Error('SQLITE_IOERR'));
    const res = await t.agent().get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'error', version: '0.0.0-test', db: 'error' });
  });
});
