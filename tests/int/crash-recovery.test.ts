// The write-ahead audit log survives a kill -9 at each step of a Genesys write: after a restart the
// reconciler settles the change from Genesys' actual state, nothing is lost and nothing is written twice.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureDb, createDb, databasePath } from '../../src/db/database.js';
import { loadConfig } from '../../src/config.js';
import { verifyAuditChain, verifyOptionsFor } from '../../src/features/audit/audit-verify.js';
import { createAuditReaderRepository } from '../../src/features/audit/audit-reader-repository.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { formToken, setUpWithOrg, startServerWithEmulator } from '../helpers/server-with-org.js';
import { eventually } from '../helpers/eventually.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({
    clients: [{ name: 'Crash Org', clientId: 'crash-client', clientSecret: 'crash-secret' }],
    seed: 'demo',
  });
});
afterAll(async () => emu.stop());

const start = (dataDir: string, extra: Record<string, string> = {}) =>
  startServerWithEmulator(dataDir, emu.port, extra);

const waitFor = <T>(fn: () => Promise<T | null>, what: string) => eventually(what, fn);

describe.each([
  ['after_intent', 0, 'reconciled-not-applied'],
  ['after_upstream', 1, 'reconciled-applied'],
] as const)('kill -9 %s', (crashAt, putsExpected, outcomeExpected) => {
  // Two server processes start in turn: allow for a busy machine (each start waits for /healthz).
  it(
    `leaves ${putsExpected} write in Genesys and reconciles to ${outcomeExpected} after a restart`,
    { timeout: 120_000 },
    async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dtm-crash-'));
      const flags = [...emu.orgs[0]!.tables.values()].find((t) => t.name === 'Emergency Flags')!.id;
      const message = `Crash test ${crashAt}`;
      const first = await start(dataDir, { CRASH_AT: crashAt });
      const a = first.agent;
      await setUpWithOrg(a, { name: 'Crash', clientId: 'crash-client', clientSecret: 'crash-secret' });
      const rowUrl = `/tables/${flags}/rows/${encodeURIComponent('Main Line')}`;
      const form = await a.get(rowUrl);
      expect(form.status).toBe(200);
      const putsBefore = emu.requestLog.filter((e) => e.method === 'PUT').length;
      await a
        .post(rowUrl)
        .type('form')
        .send({ _csrf: formToken(form.text), 'f:Message': message })
        .catch(() => undefined); // the server dies mid-request
      expect(await first.proc.exited).toBeNull(); // killed by SIGKILL (no exit code)
      expect(emu.requestLog.filter((e) => e.method === 'PUT').length - putsBefore).toBe(putsExpected);

      const second = await start(dataDir);
      const db = createDb(databasePath(dataDir));
      await configureDb(db);
      try {
        const outcome = await waitFor(
          () => db.auditEvent.findFirst({ where: { outcome: { startsWith: 'reconciled' } } }),
          'the reconciler',
        );
        expect(outcome.outcome).toBe(outcomeExpected);
        const intent = await db.auditEvent.findFirstOrThrow({ where: { outcome: 'intent', action: 'row.updated' } });
        expect(outcome.changeId).toBe(intent.changeId);
        expect(await db.auditEvent.count({ where: { changeId: intent.changeId } })).toBe(2); // intent + reconciliation, nothing else
        expect(emu.requestLog.filter((e) => e.method === 'PUT').length - putsBefore).toBe(putsExpected); // no repeat
        expect(
          (await verifyAuditChain(createAuditReaderRepository(db), verifyOptionsFor(loadConfig({ DATA_DIR: dataDir }))))
            .ok,
        ).toBe(true);
      } finally {
        await db.$disconnect();
        second.proc.child.kill('SIGINT');
        await second.proc.exited;
      }
    },
  );
});
