// The write-ahead audit log survives a kill -9 at each step of a Genesys write: after a restart the
// reconciler settles the change from Genesys' actual state, nothing is lost and nothing is written twice.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureDb, createDb, databasePath } from '../../src/db/database.js';
import { verifyAuditChain } from '../../src/features/audit/audit-verify.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { freePort, spawnServer, waitForHealthy } from '../helpers/spawn-server.js';
import { ADMIN } from '../helpers/test-app.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ clients: [{ name: 'Crash Org', clientId: 'crash-client', clientSecret: 'crash-secret' }], seed: 'demo' });
});
afterAll(async () => emu.stop());

const token = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

async function start(dataDir: string, extra: Record<string, string> = {}) {
  const port = await freePort();
  const proc = spawnServer({ DATA_DIR: dataDir, PORT: String(port), NODE_ENV: 'test', GENESYS_API_OVERRIDE: `http://127.0.0.1:${emu.port}`, AUDIT_RECONCILE_GRACE_SECONDS: '0', LOG_CONSOLE: 'false', ...extra });
  await waitForHealthy(port, proc);
  return { proc, agent: supertest.agent(`http://127.0.0.1:${port}`) };
}

async function waitFor<T>(fn: () => Promise<T | null>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each([
  ['after_intent', 0, 'reconciled-not-applied'],
  ['after_upstream', 1, 'reconciled-applied'],
] as const)('kill -9 %s', (crashAt, putsExpected, outcomeExpected) => {
  it(`leaves ${putsExpected} write in Genesys and reconciles to ${outcomeExpected} after a restart`, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dtm-crash-'));
    const flags = [...emu.orgs[0]!.tables.values()].find((t) => t.name === 'Emergency Flags')!.id;
    const message = `Crash test ${crashAt}`;
    const first = await start(dataDir, { CRASH_AT: crashAt });
    const a = first.agent;
    // (Read each token before starting the POST: the agent attaches cookies when a request is created.)
    const setupToken = token((await a.get('/setup')).text);
    await a.post('/setup').type('form').send({ _csrf: setupToken, ...ADMIN, passwordConfirm: ADMIN.password }).expect(303);
    const connectToken = token((await a.get('/setup/connect')).text);
    await a.post('/setup/connect/org').type('form').send({ _csrf: connectToken, name: 'Crash', region: 'us_east_1', clientId: 'crash-client', clientSecret: 'crash-secret', color: 'red' }).expect(303);
    const rowUrl = `/tables/${flags}/rows/${encodeURIComponent('Main Line')}`;
    const form = await a.get(rowUrl);
    expect(form.status).toBe(200);
    const putsBefore = emu.requestLog.filter((e) => e.method === 'PUT').length;
    await a.post(rowUrl).type('form').send({ _csrf: token(form.text), 'f:Message': message }).catch(() => undefined); // the server dies mid-request
    expect(await first.proc.exited).toBeNull(); // killed by SIGKILL (no exit code)
    expect(emu.requestLog.filter((e) => e.method === 'PUT').length - putsBefore).toBe(putsExpected);

    const second = await start(dataDir);
    const db = createDb(databasePath(dataDir));
    await configureDb(db);
    try {
      const outcome = await waitFor(() => db.auditEvent.findFirst({ where: { outcome: { startsWith: 'reconciled' } } }), 'the reconciler');
      expect(outcome.outcome).toBe(outcomeExpected);
      const intent = await db.auditEvent.findFirstOrThrow({ where: { outcome: 'intent', action: 'row.updated' } });
      expect(outcome.changeId).toBe(intent.changeId);
      expect(await db.auditEvent.count({ where: { changeId: intent.changeId } })).toBe(2); // intent + reconciliation, nothing else
      expect(emu.requestLog.filter((e) => e.method === 'PUT').length - putsBefore).toBe(putsExpected); // no repeat
      expect((await verifyAuditChain(db)).ok).toBe(true);
    } finally {
      await db.$disconnect();
      second.proc.child.kill('SIGINT');
      await second.proc.exited;
    }
  });
});
