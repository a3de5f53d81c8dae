// The Backups page: make a backup of chosen tables (in the background, with progress), list kept backups,
// download one.
import type { Request } from 'express';
import { actorOf } from '../../lib/actor.js';
import { attachment } from '../../lib/downloads.js';
import { NotFoundError } from '../../lib/errors.js';
import type { RouteTable } from '../../lib/route.js';
import type { TableService } from '../tables/table-service.js';
import type { BackupService } from './backup-service.js';

const chosenTables = (req: Request): string[] => {
  const t = (req.body as Record<string, unknown> | undefined)?.table;
  return (Array.isArray(t) ? t : typeof t === 'string' ? [t] : []).filter((x): x is string => typeof x === 'string');
};

export function registerBackupRoutes(routes: RouteTable, deps: { backups: BackupService; tables: TableService }): void {
  routes.get('/backups', 'signed-in', async (req, res) => {
    const org = req.currentOrg;
    const tables = org ? await deps.tables.listTables(req.user!, org) : [];
    res.render('backups/list', { title: 'Backups', org: org ?? null, tables: tables.map((t) => t.table), backups: await deps.backups.list(req.user!) });
  });

  routes.post('/backups', 'signed-in', async (req, res) => {
    if (!req.currentOrg) throw new NotFoundError('No Genesys org is available.');
    const job = await deps.backups.start(req.user!, req.currentOrg, chosenTables(req), actorOf(req));
    res.redirect(303, `/backups/jobs/${job.id}`);
  });

  routes.get('/backups/jobs/:jobId', 'signed-in', (req, res) => {
    const job = deps.backups.job(String(req.params.jobId), req.user!.id);
    const elapsed = Date.now() - job.startedAt;
    const remainingMs = job.tablesDone && job.status === 'running' ? (elapsed / job.tablesDone) * (job.tablesTotal - job.tablesDone) : null;
    res.render('backups/job', { title: 'Backup', job, remainingSeconds: remainingMs === null ? null : Math.ceil(remainingMs / 1000) });
  });

  routes.get('/backups/:id/download', 'signed-in', async (req, res) => {
    const { name, body } = await deps.backups.download(req.user!, String(req.params.id), actorOf(req));
    attachment(res, name, 'application/json; charset=utf-8');
    res.send(body);
  });
}
