// L4: the audit log is append-only (triggers) and tamper-evident (hash chain); the verify command finds the
// first broken link in a copy of the database.
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditRetention } from '../../src/features/audit/audit-retention.js';
import { verifyAuditChain } from '../../src/features/audit/audit-verify.js';
import { projectRoot } from '../../src/lib/paths.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
  for (let i = 0; i < 5; i++) await t.services.audit.record({ action: 'test.event', details: { i } }, { userId: 1, name: 'Tester', isAdmin: true });
});
afterEach(async () => t.close());

describe('retention', () => {
  it('prunes entries older than the retention period, stays verifiable, and records the pruning', async () => {
    const old = await t.db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    t.clock.advance(40 * 86_400_000);
    for (let i = 0; i < 3; i++) await t.services.audit.record({ action: 'test.recent', details: { i } }, null);
    const retention = createAuditRetention({ db: t.db, audit: t.services.audit, clock: t.clock, retentionDays: 30 });
    expect(await retention.prune()).toBe(old.length);
    const remaining = await t.db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(remaining.map((e) => e.action)).toEqual(['test.recent', 'test.recent', 'test.recent', 'audit.pruned']);
    expect(JSON.parse(remaining.at(-1)!.details!)).toMatchObject({ throughSeq: old.at(-1)!.seq, deleted: old.length });
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, checked: 4 });
    // Entries after the prune point are still protected.
    await expect(t.db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = ${remaining[0]!.seq}`)).rejects.toThrow(/append-only/);
    expect(await retention.prune()).toBe(0);
  });

  it('keeps everything when retention is 0 (the default)', async () => {
    t.clock.advance(3650 * 86_400_000);
    expect(await createAuditRetention({ db: t.db, audit: t.services.audit, clock: t.clock, retentionDays: 0 }).prune()).toBe(0);
    expect(await t.db.auditEvent.count()).toBe(5);
  });
});

describe('audit chain', () => {
  it('links every entry to the previous one and verifies', async () => {
    const events = await t.db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(events).toHaveLength(5);
    for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, checked: 5, head: { seq: 5, hash: events[4]!.hash } });
  });

  it('refuses UPDATE and DELETE (append-only triggers)', async () => {
    await expect(t.db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorName" = 'x' WHERE "seq" = 1`)).rejects.toThrow(/append-only/);
    await expect(t.db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 1`)).rejects.toThrow(/append-only/);
    expect(await t.db.auditEvent.count()).toBe(5);
  });

  it('npm run audit:verify reports the first broken link in an edited copy of the database', async () => {
    await t.db.$executeRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
    const copy = path.join(t.dataDir, 'copy.db');
    copyFileSync(path.join(t.dataDir, 'app.db'), copy);
    const run = () => spawnSync(process.execPath, [path.join(projectRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(projectRoot, 'scripts', 'audit-verify.ts'), '--db', copy], { encoding: 'utf8' });
    const intact = run();
    expect(intact.status).toBe(0);
    expect(intact.stdout).toContain('Audit log intact: 5 entries checked');
    // Someone with direct database access drops the triggers and edits entry #3.
    const raw = new Database(copy);
    raw.exec('DROP TRIGGER "AuditEvent_no_update"');
    raw.prepare(`UPDATE "AuditEvent" SET "details" = '{"i":99}' WHERE "seq" = 3`).run();
    raw.close();
    const broken = run();
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain('Audit log BROKEN at entry #3: its content does not match its hash');
  });
});
