// The Backups page: make a backup of chosen tables (in the background, with progress), list kept backups,
// download one.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { actorOf } from '../../lib/request-actor.js';
import { attachment } from '../../lib/downloads.js';
import { flash } from '../../lib/flash.js';
import { formList } from '../../lib/forms.js';
import { renderForm } from '../../lib/form-page.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { RouteTable } from '../../lib/route.js';
import type { JobRunner } from '../../jobs/job-runner.js';
import { renderJob } from '../../jobs/job-routes.js';
import type { OrgService } from '../orgs/org-service.js';
import type { TableService } from '../tables/table-service.js';
import { BACKUP_JOB, type BackupService } from './backup-service.js';
import { BackupInvalidError } from './backup-validation.js';
import { writeCalls } from '../changes/write-method.js';
import type { RestoreOptions } from './restore-plan.js';
import { RESTORE_JOB, type RestoreService } from './restore-service.js';

const on = (v: unknown) => v === '1' || v === 'on';
/** The restore options of the restore page's forms (the plan's own form, the restore and its request). */
export const restoreOptionsOf = (input: Record<string, unknown> | undefined): RestoreOptions => ({
  exact: on(input?.exact),
  createMissing: on(input?.create),
  only: formList(input?.only),
  acceptForeign: on(input?.foreign),
});

export function registerBackupRoutes(
  routes: RouteTable,
  deps: { backups: BackupService; tables: TableService; restore: RestoreService; orgs: OrgService; jobs: JobRunner },
): void {
  const org = (req: Request) => {
    if (!req.currentOrg) throw new NotFoundError('No Genesys org is available.');
    return req.currentOrg;
  };
  /** The org a restore writes to: `target` when given (any active org, like the org switcher), else the current one. */
  const targetOrg = async (req: Request, target: unknown) => {
    if (typeof target !== 'string' || target === '' || target === req.currentOrg?.id) return org(req);
    const chosen = (await deps.orgs.list()).find((o) => o.id === target);
    if (!chosen) throw new NotFoundError('That org does not exist or is archived.');
    return chosen;
  };
  // A backup that cannot be read at all: its problems, no plan, nothing to restore.
  const renderUnreadable = (
    req: Request,
    res: Response,
    err: BackupInvalidError,
    options: RestoreOptions,
    backupId: string,
  ) =>
    renderForm(
      res,
      'backups/restore',
      {
        title: 'Restore a backup',
        record: null,
        doc: null,
        foreign: false,
        plans: [],
        problems: err.problems,
        options,
        org: org(req),
        backupId,
      },
      err,
    );

  routes.get('/backups/:id/restore', 'signed-in', async (req, res) => {
    const options = restoreOptionsOf(req.query as Record<string, unknown>);
    const target = await targetOrg(req, req.query.target);
    try {
      const preview = await deps.restore.preview(actorOf(req), target, String(req.params.id), options);
      res.status(preview.problems.length ? 400 : 200).render('backups/restore', {
        title: 'Restore a backup',
        ...preview,
        options,
        org: target,
        backupId: String(req.params.id),
        writeCalls,
      });
    } catch (err) {
      if (!(err instanceof BackupInvalidError)) throw err;
      renderUnreadable(req, res, err, options, String(req.params.id));
    }
  });

  routes.post('/backups/:id/restore', 'signed-in', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    try {
      const job = await deps.restore.start(
        actorOf(req),
        await targetOrg(req, body?.target),
        String(req.params.id),
        restoreOptionsOf(body),
      );
      res.redirect(303, `/backups/restores/${job.id}`);
    } catch (err) {
      // What stops the restore (a problem found since the plan was shown, an unconfirmed foreign file) is named.
      if (!(err instanceof BackupInvalidError)) throw err;
      renderUnreadable(req, res, err, restoreOptionsOf(body), String(req.params.id));
    }
  });

  routes.post('/backups/restores/:jobId/resume', 'signed-in', async (req, res) => {
    await deps.restore.resume(actorOf(req), String(req.params.jobId));
    res.redirect(303, `/backups/restores/${String(req.params.jobId)}`);
  });

  // The multipart body was streamed to a temporary file by backupUploadParser (before CSRF); a bad file
  // re-shows the list with every problem named, and nothing is kept (the parser removes the file).
  routes.post('/backups/upload', 'signed-in', async (req, res) => {
    const file = (req as Request & { file?: { path: string; size: number } }).file;
    if (!file || file.size === 0)
      throw new ValidationError('Choose a backup file (.json) to upload.', {
        file: 'Choose a backup file (.json) to upload.',
      });
    try {
      const id = await deps.backups.upload(actorOf(req), org(req), file);
      res.redirect(303, `/backups/${id}/restore`);
    } catch (err) {
      if (!(err instanceof BackupInvalidError)) throw err;
      renderUnreadable(req, res, err, restoreOptionsOf(undefined), '');
    }
  });

  // A restore's and a backup's progress pages keep their own addresses (links and bookmarks made before the
  // jobs pages): the same page as /jobs/:jobId, for a job of that kind only.
  routes.get('/backups/restores/:jobId', 'signed-in', async (req, res) => {
    renderJob(res, await deps.jobs.get(actorOf(req), String(req.params.jobId), RESTORE_JOB));
  });

  routes.get('/backups', 'signed-in', async (req, res) => {
    const org = req.currentOrg;
    const tables = org ? await deps.tables.listTables(actorOf(req), org) : [];
    const backups = (await deps.backups.list(actorOf(req))).map((b) => ({
      ...b,
      deletable: deps.backups.mayDelete(actorOf(req), b),
    }));
    res.render('backups/list', {
      title: 'Backups',
      org: org ?? null,
      tables: tables.map((t) => t.table),
      backups,
      uploads: await deps.backups.uploadUsage(actorOf(req)),
      restores: await deps.restore.recent(actorOf(req)),
    });
  });

  routes.post('/backups', 'signed-in', async (req, res) => {
    if (!req.currentOrg) throw new NotFoundError('No Genesys org is available.');
    const job = await deps.backups.start(
      actorOf(req),
      req.currentOrg,
      formList((req.body as Record<string, unknown> | undefined)?.table),
    );
    res.redirect(303, `/backups/jobs/${job.id}`);
  });

  routes.get('/backups/jobs/:jobId', 'signed-in', async (req, res) => {
    renderJob(res, await deps.jobs.get(actorOf(req), String(req.params.jobId), BACKUP_JOB));
  });

  // Deleting asks first, on a page of its own (no script needed: the CSP allows none inline).
  routes.get('/backups/:id/delete', 'signed-in', async (req, res) => {
    res.render('backups/delete', {
      title: 'Delete a backup',
      backup: await deps.backups.deletable(actorOf(req), String(req.params.id)),
    });
  });

  routes.post('/backups/:id/delete', 'signed-in', async (req, res) => {
    await deps.backups.delete(actorOf(req), String(req.params.id));
    flash(req, 'success', 'The backup was deleted.');
    res.redirect(303, '/backups');
  });

  routes.get('/backups/:id/download', 'signed-in', async (req, res) => {
    const { name, file, size } = await deps.backups.download(actorOf(req), String(req.params.id));
    attachment(res, name, 'application/json; charset=utf-8');
    res.set('Content-Length', String(size));
    await pipeline(createReadStream(file), res);
  });
}
