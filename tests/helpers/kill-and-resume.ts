// For tests that kill the real server (a child process) at a write step of a job and start it again on the same
// DATA_DIR: signing in again, reading the server's database beside it, waiting for the job to end, and reading
// the audit log per change (every change must have one intent and one outcome, whatever the crash).
import { loadConfig } from '../../src/config.js';
import { configureDb, createDb, databasePath, type Db } from '../../src/db/database.js';
import { createAuditReaderRepository } from '../../src/features/audit/audit-reader-repository.js';
import { verifyAuditChain, verifyOptionsFor } from '../../src/features/audit/audit-verify.js';
import { eventually } from './eventually.js';
import { formToken, startServerWithEmulator, type HttpAgent } from './server-with-org.js';
import { ADMIN } from './test-app.js';

export type RunningServer = Awaited<ReturnType<typeof startServerWithEmulator>>;

export async function signInAsAdmin(agent: HttpAgent): Promise<void> {
  const token = formToken((await agent.get('/login')).text);
  await agent
    .post('/login')
    .type('form')
    .send({ _csrf: token, email: ADMIN.email, password: ADMIN.password })
    .expect(303);
}

/** Opens the server's database (the server keeps running). */
export async function withServerDb<T>(dataDir: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = createDb(databasePath(dataDir));
  await configureDb(db);
  try {
    return await fn(db);
  } finally {
    await db.$disconnect();
  }
}

/** Each change of the batch: its intents and its outcomes (every non-intent entry), by change id. */
export async function entriesByChange(db: Db, batchId: string) {
  const events = await db.auditEvent.findMany({ where: { batchId, changeId: { not: null } }, orderBy: { seq: 'asc' } });
  const by = new Map<string, { key: string; intents: number; outcomes: string[] }>();
  for (const e of events) {
    const c = by.get(e.changeId!) ?? { key: e.rowKey!, intents: 0, outcomes: [] };
    if (e.outcome === 'intent') c.intents++;
    else c.outcomes.push(e.outcome!);
    by.set(e.changeId!, c);
  }
  return [...by.values()];
}

/** Waits for the newest job of `kind` to end; its row. */
export function jobEnded(dataDir: string, kind: string) {
  return eventually(
    `the ${kind} job to end`,
    async () => {
      const job = await withServerDb(dataDir, (db) =>
        db.job.findFirst({ where: { kind }, orderBy: { createdAt: 'desc' } }),
      );
      return job && ['finished', 'failed', 'cancelled'].includes(job.status) ? job : null;
    },
    { timeoutMs: 60_000, tries: 1000, maxIntervalMs: 200 },
  );
}

/** Starts the server without a crash point (it carries an interrupted job on) and signs in. */
export async function restartServer(dataDir: string, emulatorPort: number): Promise<RunningServer> {
  const server = await startServerWithEmulator(dataDir, emulatorPort);
  await signInAsAdmin(server.agent);
  return server;
}

export async function stopServer(server: RunningServer): Promise<void> {
  server.proc.child.kill('SIGINT');
  await server.proc.exited;
}

/** The audit chain of the server's database, checked with its own keys. */
export const verifyServerAuditChain = (dataDir: string) =>
  withServerDb(dataDir, (db) =>
    verifyAuditChain(createAuditReaderRepository(db), verifyOptionsFor(loadConfig({ DATA_DIR: dataDir }))),
  );
