// L4: the audit log is append-only (triggers) and tamper-evident: a chain keyed with a key outside the database
// and signed checkpoints outside it (ADR 007). Someone with the database but not the key cannot edit an entry
// and recompute the chain, nor remove the newest entries, without verify (page and CLI) saying so.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasePath } from '../../src/db/database.js';
import {
  GENESIS_HASH,
  KEYED_FROM_SETTING,
  keyedEventHash,
  legacyEventHash,
  type StoredEventFields,
} from '../../src/features/audit/audit-chain.js';
import { checkpointFilePath } from '../../src/features/audit/audit-checkpoints.js';
import { createAuditReaderRepository } from '../../src/features/audit/audit-reader-repository.js';
import { AuditKeyMismatchError, createAuditRepository } from '../../src/features/audit/audit-repository.js';
import { createAuditRetention, PRUNED_HASH_KEY, PRUNED_SEQ_KEY } from '../../src/features/audit/audit-retention.js';
import { projectRoot } from '../../src/lib/paths.js';
import { createServices, type Services } from '../../src/services.js';
import { completeSetup, createTestApp, type TestApp } from '../helpers/test-app.js';
import { fillerEntry } from '../helpers/filler-audit.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const recordFive = async () => {
  for (let i = 0; i < 5; i++)
    await t.services.audit.record(fillerEntry('test.event', { i }), {
      userId: 1,
      name: 'Tester',
      role: 'ADMIN' as const,
    });
};

/** Direct database access, as an attacker with the file but not the key has it: triggers dropped first. */
function tamper(edit: (raw: Database.Database) => void): void {
  const raw = new Database(databasePath(t.dataDir));
  raw.exec('DROP TRIGGER IF EXISTS "AuditEvent_no_update"; DROP TRIGGER IF EXISTS "AuditEvent_no_delete"');
  edit(raw);
  raw.close();
}

/** Edits entry `seq`'s details and recomputes every later hash with `hashOf` (what the attacker can compute). */
async function editAndRecompute(seq: number, details: string, hashOf: (e: StoredEventFields) => string): Promise<void> {
  const events = await t.db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
  let prevHash = GENESIS_HASH;
  const rewritten = events.map(({ hash, ...e }) => {
    const fields = { ...e, details: e.seq === seq ? details : e.details, prevHash };
    prevHash = e.seq >= seq ? hashOf(fields) : hash;
    return { ...fields, hash: prevHash };
  });
  tamper((raw) => {
    const update = raw.prepare('UPDATE "AuditEvent" SET "details" = ?, "prevHash" = ?, "hash" = ? WHERE "seq" = ?');
    for (const e of [...rewritten].reverse()) update.run(e.details, e.prevHash, e.hash, e.seq); // hash is UNIQUE: newest first
  });
}

describe('retention', () => {
  beforeEach(recordFive);

  it('prunes entries older than the retention period, stays verifiable, and records the pruning', async () => {
    const old = await t.db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    t.clock.advance(40 * 86_400_000);
    for (let i = 0; i < 3; i++) await t.services.audit.record(fillerEntry('test.recent', { i }), null);
    const retention = createAuditRetention({
      reader: createAuditReaderRepository(t.db),
      writer: createAuditRepository(t.db, { key: t.services.secrets.auditKey, file: t.config.secretFiles.auditKey }),
      audit: t.services.audit,
      clock: t.clock,
      retentionDays: 30,
    });
    expect(await retention.prune()).toBe(old.length);
    const remaining = await t.db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(remaining.map((e) => e.action)).toEqual(['test.recent', 'test.recent', 'test.recent', 'audit.pruned']);
    expect(JSON.parse(remaining.at(-1)!.details!)).toMatchObject({ throughSeq: old.at(-1)!.seq, deleted: old.length });
    expect(await t.services.verifyAuditChain()).toMatchObject({ ok: true, checked: 4 });
    // Entries after the prune point are still protected.
    await expect(t.db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = ${remaining[0]!.seq}`)).rejects.toThrow(
      /append-only/,
    );
    expect(await retention.prune()).toBe(0);
  });

  it('detects the oldest entries removed under a hand-made prune point', async () => {
    const second = await t.db.auditEvent.findUniqueOrThrow({ where: { seq: 2 } });
    tamper((raw) => {
      const set = raw.prepare('INSERT INTO "AppSetting" ("key", "value", "updatedAt") VALUES (?, ?, 0)');
      set.run(PRUNED_SEQ_KEY, '2');
      set.run(PRUNED_HASH_KEY, second.hash);
      raw.prepare('DELETE FROM "AuditEvent" WHERE "seq" <= 2').run();
    });
    expect(await t.services.verifyAuditChain()).toMatchObject({
      ok: false,
      brokenAt: { seq: 2, reason: expect.stringContaining('no audit.pruned entry records that pruning') },
    });
  });

  it('keeps everything when retention is 0 (the default)', async () => {
    t.clock.advance(3650 * 86_400_000);
    expect(
      await createAuditRetention({
        reader: createAuditReaderRepository(t.db),
        writer: createAuditRepository(t.db, { key: t.services.secrets.auditKey, file: t.config.secretFiles.auditKey }),
        audit: t.services.audit,
        clock: t.clock,
        retentionDays: 0,
      }).prune(),
    ).toBe(0);
    expect(await t.db.auditEvent.count()).toBe(5);
  });
});

describe('audit chain', () => {
  beforeEach(recordFive);

  it('links every entry to the previous one and verifies', async () => {
    const events = await t.db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(events).toHaveLength(5);
    for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    expect(await t.services.verifyAuditChain()).toMatchObject({
      ok: true,
      checked: 5,
      keyedFromSeq: 1,
      head: { seq: 5, hash: events[4]!.hash },
    });
  });

  it('chains a batch of many entries (several INSERTs) in order, stored as single entries are, and verifies', async () => {
    const actor = { userId: 1, name: 'Tester', role: 'ADMIN' as const };
    const batch = Array.from({ length: 1201 }, (_, i) => ({
      action: 'row.updated' as const,
      orgId: 'o',
      tableId: 't',
      rowKey: `k${i}`,
      changeId: `c${i}`,
      outcome: 'intent',
      before: { key: `k${i}`, n: i },
      after: { key: `k${i}`, n: i + 1 },
      details: { changed: ['n'] },
      batchId: 'b',
    }));
    await t.services.audit.recordMany(batch, actor);
    await t.services.audit.record(fillerEntry('test.event'), actor);
    const events = await t.db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 5 + 1201 + 1 }, (_, i) => i + 1));
    for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    expect(events.slice(5, -1).map((e) => e.rowKey)).toEqual(batch.map((b) => b.rowKey));
    expect(JSON.parse(events[5 + 1200]!.after!)).toEqual({ key: 'k1200', n: 1201 });
    // Dates stored in the one text form every entry has, so ranges and ordering by time keep working.
    const raw = new Database(databasePath(t.dataDir), { readonly: true });
    const forms = raw.prepare(`SELECT DISTINCT typeof("at") AS type, length("at") AS length FROM "AuditEvent"`).all();
    raw.close();
    expect(forms).toEqual([{ type: 'text', length: '2026-01-15T09:00:00.000+00:00'.length }]);
    expect(await t.db.auditEvent.count({ where: { at: { gte: events[0]!.at } } })).toBe(events.length);
    expect(await t.services.verifyAuditChain()).toMatchObject({ ok: true, checked: events.length });
  });

  it('refuses UPDATE and DELETE (append-only triggers)', async () => {
    await expect(t.db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorName" = 'x' WHERE "seq" = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 1`)).rejects.toThrow(/append-only/);
    expect(await t.db.auditEvent.count()).toBe(5);
  });

  // Runs the audit:verify tool as its own process twice: allow for a busy machine.
  it(
    'npm run audit:verify reports an edited entry and removed newest entries in a copy of the database',
    { timeout: 120_000 },
    async () => {
      await t.services.auditCheckpoints.record();
      await t.db.$executeRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
      const copy = path.join(t.dataDir, 'copy.db');
      copyFileSync(path.join(t.dataDir, 'app.db'), copy);
      const run = () =>
        spawnSync(
          process.execPath,
          [
            path.join(projectRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
            path.join(projectRoot, 'scripts', 'audit-verify.ts'),
            '--db',
            copy,
            '--key',
            t.config.secretFiles.auditKey,
            '--checkpoints',
            checkpointFilePath(t.dataDir),
          ],
          { encoding: 'utf8' },
        );
      const intact = run();
      expect(intact.status).toBe(0);
      expect(intact.stdout).toContain('Audit log intact: 5 entries checked');
      expect(intact.stdout).toContain('Latest signed checkpoint (2026-01-15T09:00:00.000Z, entry #5) matches.');
      // Someone with direct database access drops the triggers and edits entry #3.
      const raw = new Database(copy);
      raw.exec('DROP TRIGGER "AuditEvent_no_update"; DROP TRIGGER "AuditEvent_no_delete"');
      raw.prepare(`UPDATE "AuditEvent" SET "details" = '{"i":99}' WHERE "seq" = 3`).run();
      const edited = run();
      expect(edited.status).toBe(1);
      expect(edited.stdout).toContain('Audit log BROKEN at entry #3: its content does not match its keyed hash');
      // ... or removes the two newest entries, which leaves a chain that is consistent in itself.
      raw.prepare(`UPDATE "AuditEvent" SET "details" = '{"i":2}' WHERE "seq" = 3`).run();
      raw.prepare('DELETE FROM "AuditEvent" WHERE "seq" > 3').run();
      raw.close();
      const truncated = run();
      expect(truncated.status).toBe(1);
      expect(truncated.stdout).toContain(
        'Audit log BROKEN at entry #4: it is missing: the signed checkpoint of 2026-01-15T09:00:00.000Z records the log up to entry #5, but it ends at #3',
      );
    },
  );
});

describe('keyed chain and signed checkpoints', () => {
  beforeEach(recordFive);

  it('passes a valid chain with a checkpoint, and keeps passing as entries are added after it', async () => {
    const checkpoint = await t.services.auditCheckpoints.record();
    expect(checkpoint).toMatchObject({ seq: 5, count: 5, keyedFromSeq: 1, at: '2026-01-15T09:00:00.000Z' });
    const lines = () => readFileSync(checkpointFilePath(t.dataDir), 'utf8').trim().split('\n');
    expect(lines()).toHaveLength(2); // the start-up one (empty log) and this
    expect(JSON.parse(lines()[1]!)).toEqual(checkpoint);
    expect(
      t.logs.entries().some((e) => e.event === 'audit.checkpoint' && e.seq === 5 && e.mac === checkpoint!.mac),
    ).toBe(true);
    await t.services.audit.record(fillerEntry('test.later'), null);
    expect(await t.services.verifyAuditChain()).toMatchObject({
      ok: true,
      checked: 6,
      checkpoint: { seq: 5, count: 5 },
    });
    // Nothing moved: no second line.
    await t.services.audit.record(fillerEntry('test.later2'), null);
    await t.services.auditCheckpoints.record();
    expect(await t.services.auditCheckpoints.record()).toBeNull();
    expect(lines()).toHaveLength(3);
  });

  it('detects an entry edited and every later hash recomputed without the key', async () => {
    // What passed before: recompute with the public, unkeyed SHA-256 ...
    await editAndRecompute(2, '{"i":42}', legacyEventHash);
    expect(await t.services.verifyAuditChain()).toMatchObject({
      ok: false,
      brokenAt: { seq: 2, reason: expect.stringContaining('recomputed without the audit key') },
    });
    // ... or with an HMAC under a key of one's own.
    const guessed = randomBytes(32);
    await editAndRecompute(2, '{"i":43}', (e) => keyedEventHash(guessed, e));
    expect(await t.services.verifyAuditChain()).toMatchObject({ ok: false, brokenAt: { seq: 2 } });
  });

  it('detects removal of the newest entries against the latest checkpoint (admin page and service)', async () => {
    const admin = await completeSetup(t);
    const { seq: head } = (await t.services.auditCheckpoints.record())!;
    expect((await admin.get('/admin/audit/verify').expect(200)).text).toContain(
      `Latest signed checkpoint: 2026-01-15T09:00:00.000Z, entry #${head}`,
    );
    tamper((raw) => raw.prepare('DELETE FROM "AuditEvent" WHERE "seq" >= ?').run(head - 1));
    const result = await t.services.verifyAuditChain();
    expect(result).toMatchObject({
      ok: false,
      checked: head - 2,
      brokenAt: { seq: head - 1, reason: expect.stringContaining('entries were removed from the end') },
    });
    const page = await admin.get('/admin/audit/verify').expect(200);
    expect(page.text).toContain(`Broken at entry #${head - 1}`);
    expect(page.text).toContain(`records the log up to entry #${head}`);
  });

  it('detects a checkpoint file line that is not signed by the audit key', async () => {
    await t.services.auditCheckpoints.record();
    const line = JSON.parse(readFileSync(checkpointFilePath(t.dataDir), 'utf8').trim().split('\n').at(-1)!) as {
      seq: number;
    };
    appendFileSync(checkpointFilePath(t.dataDir), `${JSON.stringify({ ...line, seq: 3 })}\n`); // "the log ended at #3"
    expect(await t.services.verifyAuditChain()).toMatchObject({
      ok: false,
      brokenAt: { reason: expect.stringContaining('line 3 of the checkpoint file') },
    });
  });

  it('detects a chain rewritten with unkeyed hashes and its switch point removed or moved', async () => {
    await t.services.auditCheckpoints.record();
    tamper((raw) => raw.prepare('DELETE FROM "AppSetting" WHERE "key" = ?').run(KEYED_FROM_SETTING));
    await editAndRecompute(1, '{"i":7}', legacyEventHash);
    expect(await t.services.verifyAuditChain()).toMatchObject({
      ok: false,
      brokenAt: { reason: expect.stringContaining('signed checkpoint') },
    });
    // Without the checkpoint file too, the missing switch record still shows.
    writeFileSync(checkpointFilePath(t.dataDir), '');
    expect(await t.services.verifyAuditChain()).toMatchObject({
      ok: false,
      brokenAt: { seq: 1, reason: expect.stringContaining('no record of where keyed hashes start') },
    });
    // A switch point moved past the rewritten entries is not signed by the key.
    tamper((raw) =>
      raw
        .prepare('INSERT INTO "AppSetting" ("key", "value", "updatedAt") VALUES (?, ?, 0)')
        .run(KEYED_FROM_SETTING, `6:${'0'.repeat(64)}`),
    );
    expect(await t.services.verifyAuditChain()).toMatchObject({
      ok: false,
      brokenAt: { reason: expect.stringContaining('not signed by this audit key') },
    });
  });

  it('refuses to chain with an audit key other than the one the log was keyed with', async () => {
    const other = createAuditRepository(t.db, { key: randomBytes(32), file: '/elsewhere/audit-key' });
    await expect(other.ensureKeyed()).rejects.toThrow(AuditKeyMismatchError);
    await expect(other.ensureKeyed()).rejects.toThrow(
      'The audit key file /elsewhere/audit-key is not the key this audit log was chained with',
    );
  });
});

describe('entries written before the chain was keyed', () => {
  let upgraded: Services;
  afterEach(async () => upgraded?.shutdown());

  /**
   * A database as the previous version left it (entries with the unkeyed SHA-256, no switch point), then
   * opened by this version: fresh services, whose start-up checkpoint records the switch point.
   */
  async function legacyEntries(count: number): Promise<void> {
    await t.db.appSetting.delete({ where: { key: KEYED_FROM_SETTING } });
    writeFileSync(checkpointFilePath(t.dataDir), '');
    let prevHash = GENESIS_HASH;
    for (let seq = 1; seq <= count; seq++) {
      const fields: StoredEventFields = {
        seq,
        at: new Date(t.clock.now()),
        actorId: null,
        actorName: 'system',
        ip: null,
        requestId: null,
        action: 'test.legacy',
        orgId: null,
        tableId: null,
        rowKey: null,
        targetUserId: null,
        before: null,
        after: null,
        details: JSON.stringify({ seq }),
        reason: null,
        batchId: null,
        changeId: null,
        outcome: null,
        prevHash,
      };
      prevHash = legacyEventHash(fields);
      await t.db.auditEvent.create({ data: { ...fields, hash: prevHash } });
    }
    upgraded = createServices({
      config: t.config,
      db: t.db,
      logger: t.services.logger,
      secrets: t.services.secrets,
      clock: t.clock,
    });
    await upgraded.auditCheckpoints.record({ always: true });
  }

  it('still verify: the switch point is recorded at the first keyed entry, and both kinds are checked', async () => {
    await legacyEntries(3);
    await upgraded.audit.record(fillerEntry('test.keyed'), null);
    const events = await t.db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(events[3]!.prevHash).toBe(events[2]!.hash);
    expect(await upgraded.verifyAuditChain()).toMatchObject({
      ok: true,
      checked: 4,
      keyedFromSeq: 4,
      checkpoint: { seq: 3 },
    });
    // A legacy entry edited and everything after it recomputed: the start-up checkpoint (#3) no longer matches,
    await editAndRecompute(2, '{"seq":99}', legacyEventHash);
    expect(await upgraded.verifyAuditChain()).toMatchObject({
      ok: false,
      brokenAt: { seq: 3, reason: expect.stringContaining('differs from the signed checkpoint') },
    });
    // and without the checkpoint file, the first keyed entry cannot be recomputed to follow the rewrite.
    writeFileSync(checkpointFilePath(t.dataDir), '');
    expect(await upgraded.verifyAuditChain()).toMatchObject({
      ok: false,
      brokenAt: { seq: 4, reason: expect.stringContaining('keyed hash') },
    });
  });

  it('an edited legacy entry is still found by its unkeyed hash', async () => {
    await legacyEntries(3);
    await upgraded.audit.record(fillerEntry('test.keyed'), null);
    tamper((raw) => raw.prepare(`UPDATE "AuditEvent" SET "details" = '{"seq":0}' WHERE "seq" = 2`).run());
    expect(await upgraded.verifyAuditChain()).toMatchObject({
      ok: false,
      keyedFromSeq: 4,
      brokenAt: { seq: 2, reason: 'its content does not match its hash (the entry was edited)' },
    });
  });
});
