// Backups of one, several or (admins) all tables of an org: read from Genesys in the background with
// progress, written to DATA_DIR/backups (temp file + rename, so a stopped backup never leaves half a file),
// described in the Backup table, downloadable, and audited. A user's backup holds only the tables they may
// view and only their visible columns (the schema too), marked partial.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db/database.js';
import type { Row, TableSchema } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import type { CurrentUser } from '../../lib/current-user.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { AuditService } from '../audit/audit-service.js';
import type { OrgService, OrgView } from '../orgs/org-service.js';
import { project, type TableService } from '../tables/table-service.js';
import { BACKUP_FORMAT, BACKUP_VERSION, sealBackup, type BackupTable } from './backup-format.js';
import { parseBackup } from './backup-validation.js';

export interface BackupJob {
  id: string;
  userId: number;
  orgName: string;
  status: 'running' | 'finished' | 'failed';
  tablesTotal: number;
  tablesDone: number;
  rowsDone: number;
  startedAt: number;
  finishedAt?: number;
  backupId?: string;
  error?: string;
}

export function createBackupService(deps: { db: Db; orgs: OrgService; tables: TableService; audit: AuditService; clock: Clock; dataDir: string; appVersion: string }) {
  const jobs = new Map<string, BackupJob>();
  const dir = path.join(deps.dataDir, 'backups');

  /** Writes a backup file under a new id (temp file + rename: never half a file under the final name). */
  function keepFile(content: string | Buffer): { id: string; fileName: string } {
    const id = randomUUID();
    const fileName = `${id}.json`;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = path.join(dir, `${fileName}.tmp`);
    writeFileSync(tmp, content, { mode: 0o600 });
    renameSync(tmp, path.join(dir, fileName));
    return { id, fileName };
  }

  /** A kept backup this user may see (admins all, users their own), its file checked against the record. */
  async function readKept(user: CurrentUser, backupId: string) {
    const record = await deps.db.backup.findUnique({ where: { id: backupId } });
    if (!record || (user.role !== 'ADMIN' && record.createdById !== user.id)) throw new NotFoundError('That backup does not exist.');
    const body = readFileSync(path.join(dir, record.fileName));
    if (createHash('sha256').update(body).digest('hex') !== record.sha256) throw new ValidationError('The stored backup file does not match its checksum; it was changed on disk.');
    return { record, body };
  }

  /** `rowsLoadedSince`: rows the app read from Genesys since then are used as they are (else read now). */
  async function writeBackup(user: CurrentUser, org: OrgView, tableIds: string[], job: BackupJob, kind: string, actor: Actor, rowsLoadedSince?: number): Promise<string> {
    const tables: BackupTable[] = [];
    let partial = false;
    for (const tableId of tableIds) {
      const data = await deps.tables.rows(user, org, tableId, rowsLoadedSince === undefined ? { refresh: true } : { loadedSince: rowsLoadedSince });
      const hidden = Object.keys(data.table.schema.properties).filter((c) => !data.columns.includes(c));
      partial ||= hidden.length > 0;
      const schema: TableSchema = { ...data.table.schema, properties: Object.fromEntries(Object.entries(data.table.schema.properties).filter(([c]) => data.columns.includes(c))) };
      tables.push({ id: data.table.id, name: data.table.name, description: data.table.description, division: data.table.division, schema, rows: data.rows.map((r): Row => project(r, data.columns)) });
      job.tablesDone++;
      job.rowsDone += data.rows.length;
    }
    const doc = sealBackup({ format: BACKUP_FORMAT, version: BACKUP_VERSION, appVersion: deps.appVersion, createdAt: new Date(deps.clock.now()).toISOString(), createdBy: actor.name, org: { name: org.name, region: org.region }, partial, tables });
    const text = JSON.stringify(doc);
    const { id, fileName } = keepFile(text);
    await deps.db.backup.create({
      data: {
        id,
        orgId: org.id,
        orgName: org.name,
        kind,
        createdAt: new Date(deps.clock.now()),
        createdById: user.id || null, // 0 = the scheduler, not a person
        createdBy: actor.name,
        tableCount: tables.length,
        rowCount: job.rowsDone,
        sizeBytes: Buffer.byteLength(text),
        sha256: createHash('sha256').update(text).digest('hex'),
        partial,
        fileName,
        tableNames: tables.map((t) => t.name).join(', ').slice(0, 1000),
      },
    });
    await deps.audit.record({ action: 'backup.created', orgId: org.id, details: { backupId: id, kind, tables: tables.map((t) => t.name), rows: job.rowsDone, partial } }, actor);
    return id;
  }

  return {
    /** Starts a backup in the background; `tableIds` empty = every table the user may view (admins: all). */
    async start(user: CurrentUser, org: OrgView, tableIds: string[], actor: Actor, kind = 'manual'): Promise<BackupJob> {
      const visible = (await deps.tables.listTables(user, org)).map((t) => t.table.id);
      const chosen = tableIds.length ? tableIds : visible;
      const unknown = chosen.filter((id) => !visible.includes(id));
      if (unknown.length) throw new NotFoundError('A chosen table does not exist or you have no access to it.');
      if (chosen.length === 0) throw new ValidationError('There are no tables to back up.', { tables: 'Choose at least one table.' });
      const job: BackupJob = { id: randomUUID(), userId: user.id, orgName: org.name, status: 'running', tablesTotal: chosen.length, tablesDone: 0, rowsDone: 0, startedAt: deps.clock.now() };
      jobs.set(job.id, job);
      void writeBackup(user, org, chosen, job, kind, actor).then(
        (backupId) => Object.assign(job, { status: 'finished', backupId, finishedAt: deps.clock.now() }),
        (err: unknown) => Object.assign(job, { status: 'failed', error: (err as Error).message, finishedAt: deps.clock.now() }),
      );
      return job;
    },

    /** Makes a backup and waits for it (the automatic backup before a restore). */
    async backupNow(user: CurrentUser, org: OrgView, tableIds: string[], actor: Actor, kind: string, opts: { rowsLoadedSince?: number } = {}): Promise<string> {
      const job: BackupJob = { id: randomUUID(), userId: user.id, orgName: org.name, status: 'running', tablesTotal: tableIds.length, tablesDone: 0, rowsDone: 0, startedAt: deps.clock.now() };
      return writeBackup(user, org, tableIds, job, kind, actor, opts.rowsLoadedSince);
    },

    /** Keeps an uploaded backup file (checked first: JSON, format, version, checksum) for restoring into `org`. */
    async upload(user: CurrentUser, org: OrgView, body: Buffer, actor: Actor): Promise<string> {
      const text = body.toString('utf8');
      const doc = parseBackup(text);
      const { id, fileName } = keepFile(body);
      const rows = doc.tables.reduce((n, t) => n + t.rows.length, 0);
      await deps.db.backup.create({
        data: {
          id,
          orgId: org.id,
          orgName: doc.org?.name ? `${String(doc.org.name).slice(0, 100)} (uploaded)` : 'uploaded',
          kind: 'uploaded',
          createdAt: new Date(deps.clock.now()),
          createdById: user.id,
          createdBy: actor.name,
          tableCount: doc.tables.length,
          rowCount: rows,
          sizeBytes: body.length,
          sha256: createHash('sha256').update(body).digest('hex'),
          partial: Boolean(doc.partial),
          fileName,
          tableNames: doc.tables.map((t) => t.name).join(', ').slice(0, 1000),
        },
      });
      await deps.audit.record({ action: 'backup.uploaded', orgId: org.id, details: { backupId: id, tables: doc.tables.map((t) => t.name), rows, madeAt: doc.createdAt, madeBy: doc.createdBy } }, actor);
      return id;
    },

    /** A kept backup's document, checked (file checksum, format, content checksum). */
    async load(user: CurrentUser, backupId: string) {
      const { record: b, body } = await readKept(user, backupId);
      return { record: b, text: body.toString('utf8') };
    },

    /** Deletes a kept backup's file and record (the caller audits why). */
    async remove(backupId: string): Promise<void> {
      const b = await deps.db.backup.delete({ where: { id: backupId } });
      rmSync(path.join(dir, b.fileName), { force: true });
    },

    job(jobId: string, userId: number): BackupJob {
      const job = jobs.get(jobId);
      if (!job || job.userId !== userId) throw new NotFoundError('That backup job does not exist.');
      return job;
    },

    /** Backups this user may see: admins all, users their own. */
    async list(user: CurrentUser) {
      return deps.db.backup.findMany({ where: user.role === 'ADMIN' ? {} : { createdById: user.id }, orderBy: { createdAt: 'desc' }, take: 200 });
    },

    /** The file's bytes for a download (audited). */
    async download(user: CurrentUser, backupId: string, actor: Actor): Promise<{ name: string; body: Buffer }> {
      const { record: b, body } = await readKept(user, backupId);
      await deps.audit.record({ action: 'backup.downloaded', orgId: b.orgId, details: { backupId, size: body.length } }, actor);
      return { name: `backup ${b.orgName} ${b.createdAt.toISOString().slice(0, 16).replace(':', '')}.json`, body };
    },
  };
}

export type BackupService = ReturnType<typeof createBackupService>;
