// An install upgraded to the durable job table keeps its restores: every RestoreJob row becomes a Job of kind
// 'restore' with the same progress, failures, notes and owner, and its plan wrapped with the backup it restores.
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configureDb, createDb } from '../../src/db/database.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { projectRoot } from '../../src/lib/paths.js';

const schemaPath = path.join(projectRoot, 'prisma', 'schema.prisma');
const migrationsDir = path.join(projectRoot, 'prisma', 'migrations');

describe('the durable jobs migration', () => {
  it('moves existing restores onto the Job table, running ones included', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dtm-jobs-migration-'));
    const before = path.join(dir, 'before');
    cpSync(migrationsDir, before, { recursive: true });
    const jobsMigration = readdirSync(before).find((d) => d.endsWith('_durable_jobs'))!;
    const later = readdirSync(before).filter((d) => /^\d/.test(d) && d >= jobsMigration);
    for (const d of later) rmSync(path.join(before, d), { recursive: true });
    const dbPath = path.join(dir, 'app.db');
    await applyMigrations(dbPath, { schemaPath, migrationsDir: before });

    let db = createDb(dbPath);
    await configureDb(db);
    const tables = [{ name: 'Emergency Flags', tableId: 't1', add: [], update: [], delete: [] }];
    const actor = { userId: 3, name: 'Tess <tess@example.com>', role: 'USER' as const };
    await db.$executeRawUnsafe(
      `INSERT INTO "RestoreJob" ("id","userId","orgId","backupId","exact","batchId","status","total","done","failures","notes","preRestoreBackupId","error","plan","actor","createdAt","finishedAt") VALUES
       ('r-running', 3, 'org-1', 'b-1', 1, 'batch-1', 'running', 10, 4, '[]', '[]', NULL, NULL, ?, ?, '2026-11-30T10:00:00.000Z', NULL),
       ('r-failed', 3, 'org-1', 'b-2', 0, 'batch-2', 'failed', 5, 1, '[{"table":"Emergency Flags","key":"Main Line","message":"refused"}]', '["Emergency Flags: fell back"]', 'pre-1', 'Genesys unreachable', ?, ?, '2026-11-29T10:00:00.000Z', '2026-11-29T10:05:00.000Z')`,
      JSON.stringify(tables),
      JSON.stringify(actor),
      JSON.stringify(tables),
      JSON.stringify(actor),
    );
    await db.$disconnect();

    expect(await applyMigrations(dbPath, { schemaPath, migrationsDir })).toEqual(later);
    db = createDb(dbPath);
    await configureDb(db);
    try {
      const jobs = await db.job.findMany({ orderBy: { id: 'asc' } });
      expect(jobs.map((j) => [j.id, j.kind, j.userId, j.orgId, j.status, j.batchId, j.total, j.done])).toEqual([
        ['r-failed', 'restore', 3, 'org-1', 'failed', 'batch-2', 5, 1],
        ['r-running', 'restore', 3, 'org-1', 'running', 'batch-1', 10, 4],
      ]);
      const [failed, running] = jobs;
      expect(JSON.parse(running!.plan)).toEqual({ backupId: 'b-1', exact: true, tables });
      expect(JSON.parse(failed!.plan)).toEqual({ backupId: 'b-2', exact: false, tables });
      expect(JSON.parse(running!.result)).toEqual({ preRestoreBackupId: null });
      expect(JSON.parse(failed!.result)).toEqual({ preRestoreBackupId: 'pre-1' });
      expect(JSON.parse(failed!.failures)).toEqual([
        { table: 'Emergency Flags', key: 'Main Line', message: 'refused' },
      ]);
      expect(JSON.parse(failed!.notes)).toEqual(['Emergency Flags: fell back']);
      expect(failed!.error).toBe('Genesys unreachable');
      expect(JSON.parse(running!.actor)).toEqual(actor);
      expect(running!.startedAt).toEqual(running!.createdAt); // it had started: resumed as a restart, not begun afresh
      expect(failed!.finishedAt?.toISOString()).toBe('2026-11-29T10:05:00.000Z');
    } finally {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
