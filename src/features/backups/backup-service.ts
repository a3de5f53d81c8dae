// Backups of one, several or (admins) all tables of an org: read from Genesys in the background with
// progress, written to DATA_DIR/backups (temp file + rename, so a stopped backup never leaves half a file),
// described in the Backup table, downloadable, and audited. A user's backup holds only the tables they may
// view and only their visible columns (the schema too), marked partial. Files are sealed with the server's
// backup key; uploaded files are checked from disk, within per-person quotas, and can be deleted.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Row, TableSchema } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { JobRunner } from '../../jobs/job-runner.js';
import type { JobView } from '../../jobs/job-types.js';
import type { AuditReaderRepository } from '../audit/audit-reader-repository.js';
import type { AuditService } from '../audit/audit-service.js';
import type { OrgService, OrgView } from '../orgs/org-service.js';
import { project, type TableService } from '../tables/table-service.js';
import { BACKUP_FORMAT, BACKUP_VERSION, sealBackup, type BackupTable, type SealOrigin } from './backup-format.js';
import { BackupInvalidError, parseBackup } from './backup-validation.js';
import type { BackupRepository } from './backup-repository.js';
import { listedOwner, mayDeleteBackup, mayRestoreForeign, maySeeBackup } from '../permissions/policy.js';

/** A backup job's stored plan: the backup's id is chosen when it is asked for, so a run after a restart finds what an earlier run already wrote. */
export interface BackupPlan {
  backupId: string;
  tableIds: string[];
  kind: string;
  orgName: string;
}

export interface BackupResult extends Record<string, unknown> {
  rowsDone: number;
  backupId?: string;
}

export const BACKUP_JOB = 'backup';

interface WriteOptions {
  /** The id to write it under (a job's planned id); a backup already kept under it is not written again. */
  id?: string;
  /** Rows the app read from Genesys since then are used as they are (else read now). */
  rowsLoadedSince?: number;
  /** After each table is read; may throw to stop before the next one (the job's cancel). */
  onTable?: (tablesDone: number, rowsDone: number) => Promise<void>;
}

export interface UploadQuota {
  perUser: number;
  bytesPerUser: number;
}

/** Said to a user whose file this server did not seal: what it means and who can restore it. */
export const FOREIGN_FOR_USERS =
  'This file was not sealed by this server (it comes from another installation or an older version, or it was edited), so nothing in it can be trusted. Only an administrator can restore it.';

const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

/** SHA-256 of a file, read in chunks (the whole file is never in memory for this). */
async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

export function createBackupService(deps: {
  repo: BackupRepository;
  log: AuditReaderRepository;
  orgs: OrgService;
  tables: TableService;
  audit: AuditService;
  jobs: JobRunner;
  clock: Clock;
  dataDir: string;
  appVersion: string;
  sealKey: Buffer;
  uploadQuota: UploadQuota;
}) {
  const dir = path.join(deps.dataDir, 'backups');

  /** A new id and file name, with the backups folder in place. */
  function newFile(id: string = randomUUID()): { id: string; fileName: string; target: string } {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return { id, fileName: `${id}.json`, target: path.join(dir, `${id}.json`) };
  }

  /** Writes a backup file under a new id (temp file + rename: never half a file under the final name). */
  function keepFile(content: string, planned?: string): { id: string; fileName: string } {
    const { id, fileName, target } = newFile(planned);
    const tmp = `${target}.tmp`;
    writeFileSync(tmp, content, { mode: 0o600 });
    renameSync(tmp, target);
    return { id, fileName };
  }

  /** A kept backup this user may see (admins all, users their own), its file checked against the record. */
  async function findKept(actor: Actor, backupId: string) {
    const record = await deps.repo.find(backupId);
    if (!record || !maySeeBackup(actor, { ownerId: record.createdById }))
      throw new NotFoundError('That backup does not exist.');
    const file = path.join(dir, record.fileName);
    if ((await fileSha256(file)) !== record.sha256)
      throw new ValidationError('The stored backup file does not match its checksum; it was changed on disk.');
    return { record, file };
  }

  /** What this person's uploads already take, and whether `incomingBytes` more fit (throws a message saying why not). */
  async function checkQuota(userId: number, incomingBytes: number): Promise<void> {
    const { count, bytes } = await deps.repo.uploadsOf(userId);
    const { perUser, bytesPerUser } = deps.uploadQuota;
    const fix = 'Delete uploaded backups you no longer need on the Backups page, then upload again.';
    if (count >= perUser)
      throw new ValidationError(
        `You keep ${count} uploaded backup(s), the most allowed per person (${perUser}). ${fix}`,
        { file: `At most ${perUser} uploaded backups per person.` },
      );
    if (bytes + incomingBytes > bytesPerUser) {
      const message = `Your uploaded backups take ${megabytes(bytes)}; with this file (${megabytes(incomingBytes)}) they would go over the ${megabytes(bytesPerUser)} allowed per person. ${fix}`;
      throw new ValidationError(message, { file: message });
    }
  }

  /** Whether the backup.created entry of this backup is in the audit log (a run stopped right before it). */
  const createdIsAudited = (id: string) =>
    deps.log.hasEntry('backup.created', JSON.stringify({ backupId: id }).slice(1, -1));

  async function writeBackup(
    actor: Actor,
    org: OrgView,
    tableIds: string[],
    kind: string,
    opts: WriteOptions = {},
  ): Promise<string> {
    const kept = opts.id ? await deps.repo.find(opts.id) : null;
    if (kept) {
      // Written by a run the process stopped after the file and its record: at most the audit entry is missing.
      if (!(await createdIsAudited(kept.id)))
        await deps.audit.record(
          {
            action: 'backup.created',
            orgId: org.id,
            details: {
              backupId: kept.id,
              kind,
              tables: kept.tableNames ? kept.tableNames.split(', ') : [],
              rows: kept.rowCount,
              partial: kept.partial,
            },
          },
          actor,
        );
      return kept.id;
    }
    const tables: BackupTable[] = [];
    let partial = false;
    let rowsDone = 0;
    for (const tableId of tableIds) {
      const data = await deps.tables.rows(
        actor,
        org,
        tableId,
        opts.rowsLoadedSince === undefined ? { refresh: true } : { loadedSince: opts.rowsLoadedSince },
      );
      const hidden = Object.keys(data.table.schema.properties).filter((c) => !data.columns.includes(c));
      partial ||= hidden.length > 0;
      const schema: TableSchema = {
        ...data.table.schema,
        properties: Object.fromEntries(
          Object.entries(data.table.schema.properties).filter(([c]) => data.columns.includes(c)),
        ),
      };
      tables.push({
        id: data.table.id,
        name: data.table.name,
        description: data.table.description,
        division: data.table.division,
        schema,
        rows: data.rows.map((r): Row => project(r, data.columns)),
      });
      rowsDone += data.rows.length;
      await opts.onTable?.(tables.length, rowsDone);
    }
    const doc = sealBackup(
      {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        appVersion: deps.appVersion,
        createdAt: new Date(deps.clock.now()).toISOString(),
        createdBy: actor.name,
        org: { name: org.name, region: org.region },
        partial,
        tables,
      },
      deps.sealKey,
    );
    const text = JSON.stringify(doc);
    const { id, fileName } = keepFile(text, opts.id);
    await deps.repo.create({
      id,
      orgId: org.id,
      orgName: org.name,
      kind,
      createdAt: new Date(deps.clock.now()),
      createdById: actor.userId || null, // 0 = the scheduler, not a person
      createdBy: actor.name,
      tableCount: tables.length,
      rowCount: rowsDone,
      sizeBytes: Buffer.byteLength(text),
      sha256: createHash('sha256').update(text).digest('hex'),
      partial,
      fileName,
      tableNames: tables
        .map((t) => t.name)
        .join(', ')
        .slice(0, 1000),
    });
    await deps.audit.record(
      {
        action: 'backup.created',
        orgId: org.id,
        details: { backupId: id, kind, tables: tables.map((t) => t.name), rows: rowsDone, partial },
      },
      actor,
    );
    return id;
  }

  /** The 'backup' job: reads the planned tables with the owner's current rights and keeps the file. */
  deps.jobs.register<BackupPlan, BackupResult>(BACKUP_JOB, {
    noun: 'backup',
    resumable: false,
    // Reading changes nothing, and the file appears at once under the planned id: reading again is exact (ADR).
    restartNote: 'The app restarted while this backup was being read, so its tables were read again from the start.',
    async run(job) {
      const org = await deps.orgs.get(job.orgId!);
      const onTable = async (tablesDone: number, rowsDone: number) => {
        await job.progress({ done: tablesDone, result: { rowsDone } });
        job.stopIfAsked();
      };
      const backupId = await writeBackup(job.actor, org, job.plan.tableIds, job.plan.kind, {
        id: job.plan.backupId,
        onTable,
      });
      await job.progress({ done: job.total, result: { backupId } });
    },
  });

  /** Said by anything that needs a backup kept (a restore from it still running): why it cannot be deleted now. */
  const deleteChecks: ((backupId: string) => Promise<string | null>)[] = [];

  return {
    /** Starts a backup job; `tableIds` empty = every table the actor may view (admins: all). */
    async start(actor: Actor, org: OrgView, tableIds: string[], kind = 'manual'): Promise<JobView<BackupPlan>> {
      const visible = (await deps.tables.listTables(actor, org)).map((t) => t.table.id);
      const chosen = tableIds.length ? tableIds : visible;
      const unknown = chosen.filter((id) => !visible.includes(id));
      if (unknown.length) throw new NotFoundError('A chosen table does not exist or you have no access to it.');
      if (chosen.length === 0)
        throw new ValidationError('There are no tables to back up.', { tables: 'Choose at least one table.' });
      const plan: BackupPlan = { backupId: randomUUID(), tableIds: chosen, kind, orgName: org.name };
      return deps.jobs.submit(actor, BACKUP_JOB, plan, { orgId: org.id, total: chosen.length });
    },

    /** Makes a backup and waits for it (the automatic backup before a restore, the scheduled ones). */
    async backupNow(
      actor: Actor,
      org: OrgView,
      tableIds: string[],
      kind: string,
      opts: { rowsLoadedSince?: number } = {},
    ): Promise<string> {
      return writeBackup(actor, org, tableIds, kind, opts);
    },

    deleteChecks,

    /**
     * Throws when this person's uploaded backups fill their quota (checked before an upload is read, by the
     * upload parser, which runs before the signed-in user is loaded: it has the session's user id only).
     */
    mayUpload: (userId: number) => checkQuota(userId, 0),

    /**
     * Keeps an uploaded backup file for restoring into `org`. The file is on disk (streamed there by the upload
     * parser) and is checked first: quota, size, depth, JSON, format, version, seal. A file this server did not
     * seal is kept only for an administrator. Then the file is moved, not copied, into the backups folder.
     */
    async upload(actor: Actor, org: OrgView, upload: { path: string; size: number }): Promise<string> {
      await checkQuota(actor.userId, upload.size);
      const { doc, origin } = parseBackup(readFileSync(upload.path, 'utf8'), deps.sealKey);
      if (origin === 'foreign' && !mayRestoreForeign(actor))
        throw new BackupInvalidError([{ message: FOREIGN_FOR_USERS }]);
      const sha256 = await fileSha256(upload.path);
      const { id, fileName, target } = newFile();
      renameSync(upload.path, target);
      const rows = doc.tables.reduce((n, t) => n + t.rows.length, 0);
      await deps.repo.create({
        id,
        orgId: org.id,
        orgName: doc.org?.name ? `${String(doc.org.name).slice(0, 100)} (uploaded)` : 'uploaded',
        kind: 'uploaded',
        createdAt: new Date(deps.clock.now()),
        createdById: actor.userId,
        createdBy: actor.name,
        tableCount: doc.tables.length,
        rowCount: rows,
        sizeBytes: upload.size,
        sha256,
        partial: Boolean(doc.partial),
        fileName,
        tableNames: doc.tables
          .map((t) => t.name)
          .join(', ')
          .slice(0, 1000),
        // What the file says about itself, kept apart from who uploaded it (createdBy) and when.
        foreign: origin === 'foreign',
        fileMadeBy: typeof doc.createdBy === 'string' ? doc.createdBy.slice(0, 200) : null,
        fileMadeAt: typeof doc.createdAt === 'string' ? doc.createdAt.slice(0, 40) : null,
      });
      await deps.audit.record(
        {
          action: 'backup.uploaded',
          orgId: org.id,
          details: {
            backupId: id,
            tables: doc.tables.map((t) => t.name),
            rows,
            madeAt: doc.createdAt,
            madeBy: doc.createdBy,
            origin,
          },
        },
        actor,
      );
      return id;
    },

    /**
     * A kept backup's document, checked (file checksum, format, seal), and its origin. A backup this server
     * wrote itself (anything but an upload) is trusted whatever its seal: its bytes match the record made when
     * it was written, and only uploads are files a person chose. An upload is trusted only with this server's seal.
     */
    async load(actor: Actor, backupId: string) {
      const { record, file } = await findKept(actor, backupId);
      const { doc, origin } = parseBackup(readFileSync(file, 'utf8'), deps.sealKey);
      const trusted: SealOrigin = record.kind === 'uploaded' ? origin : 'this-server';
      return { record, doc, origin: trusted };
    },

    /** This person's uploads against their quota (for the Backups page). */
    async uploadUsage(actor: Actor) {
      return { ...(await deps.repo.uploadsOf(actor.userId)), ...deps.uploadQuota };
    },

    /** May `actor` delete this backup? Admins any; others the files they uploaded (never the app's own backups). */
    mayDelete: (actor: Actor, record: { createdById: number | null; kind: string }) =>
      mayDeleteBackup(actor, { ownerId: record.createdById, kind: record.kind }),

    /** Deletes a kept backup on request (audited); not while a restore from it is running. */
    /** A backup `actor` may delete, for the confirmation page and the delete itself (404: not hers to see; 403: hers, not hers to delete). */
    async deletable(actor: Actor, backupId: string) {
      const record = await deps.repo.find(backupId);
      if (!record || !maySeeBackup(actor, { ownerId: record.createdById }))
        throw new NotFoundError('That backup does not exist.');
      if (!this.mayDelete(actor, record))
        throw new ForbiddenError(
          'You can delete the backup files you uploaded; backups made by the app are deleted by an administrator.',
        );
      return record;
    },

    async delete(actor: Actor, backupId: string): Promise<void> {
      const record = await this.deletable(actor, backupId);
      for (const check of deleteChecks) {
        const reason = await check(backupId);
        if (reason) throw new ConflictError(reason);
      }
      await this.remove(backupId);
      await deps.audit.record(
        {
          action: 'backup.deleted',
          orgId: record.orgId,
          details: {
            backupId,
            kind: record.kind,
            orgName: record.orgName,
            madeBy: record.createdBy,
            tables: record.tableNames,
            size: record.sizeBytes,
          },
        },
        actor,
      );
    },

    /** Deletes a kept backup's file and record (the caller audits why). */
    async remove(backupId: string): Promise<void> {
      const b = await deps.repo.delete(backupId);
      rmSync(path.join(dir, b.fileName), { force: true });
    },

    /** Backups this user may see: admins all, users their own. */
    async list(actor: Actor) {
      return deps.repo.list(listedOwner(actor));
    },

    /** The checked file to send for a download (audited); streamed by the route, never read whole into memory. */
    async download(actor: Actor, backupId: string): Promise<{ name: string; file: string; size: number }> {
      const { record: b, file } = await findKept(actor, backupId);
      await deps.audit.record(
        { action: 'backup.downloaded', orgId: b.orgId, details: { backupId, size: b.sizeBytes } },
        actor,
      );
      return {
        name: `backup ${b.orgName} ${b.createdAt.toISOString().slice(0, 16).replace(':', '')}.json`,
        file,
        size: b.sizeBytes,
      };
    },
  };
}

export type BackupService = ReturnType<typeof createBackupService>;
