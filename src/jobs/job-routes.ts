// The jobs pages: one's own jobs (administrators: everyone's), and one progress page for every kind of job
// (rows done / total / time left, failures, notes, cancel and resume). A kind words its heading, status line
// and links in views/jobs/kinds/<kind>*.ejs; a kind without them gets the plain wording of kinds/job*.ejs.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Response } from 'express';
import { actorOf } from '../lib/request-actor.js';
import { flash } from '../lib/flash.js';
import { projectRoot } from '../lib/paths.js';
import type { RouteTable } from '../lib/route.js';
import type { JobRunner } from './job-runner.js';
import type { JobView } from './job-types.js';
import { seesEveryonesRecords } from '../features/permissions/policy.js';

const kindViews = path.join(projectRoot, 'views', 'jobs', 'kinds');
const partCache = new Map<string, string>();

/** The partials a kind's page uses: its own when it has them, else the plain ones. */
function partOf(kind: string): string {
  let part = partCache.get(kind);
  if (part === undefined) {
    part = /^[a-z][a-z-]*$/.test(kind) && existsSync(path.join(kindViews, `${kind}.ejs`)) ? kind : 'job';
    partCache.set(kind, part);
  }
  return part;
}

/** Renders a job's progress page (also under a kind's own address, e.g. /backups/restores/:jobId). */
export function renderJob(res: Response, job: JobView): void {
  res.render('jobs/show', { title: job.noun.charAt(0).toUpperCase() + job.noun.slice(1), job, part: partOf(job.kind) });
}

export function registerJobRoutes(routes: RouteTable, deps: { jobs: JobRunner }): void {
  const jobId = (req: { params: Record<string, unknown> }) => String(req.params.jobId);

  routes.get('/jobs', 'signed-in', async (req, res) => {
    res.render('jobs/list', {
      title: 'Jobs',
      jobs: await deps.jobs.list(actorOf(req)),
      isAdmin: seesEveryonesRecords(req.user!),
    });
  });

  routes.get('/jobs/:jobId', 'signed-in', async (req, res) => {
    renderJob(res, await deps.jobs.get(actorOf(req), jobId(req)));
  });

  routes.post('/jobs/:jobId/cancel', 'signed-in', async (req, res) => {
    await deps.jobs.cancel(actorOf(req), jobId(req));
    flash(req, 'success', 'Cancelling: the job stops after the step in progress; what it did before stays done.');
    res.redirect(303, `/jobs/${jobId(req)}`);
  });

  routes.post('/jobs/:jobId/resume', 'signed-in', async (req, res) => {
    await deps.jobs.resume(actorOf(req), jobId(req));
    res.redirect(303, `/jobs/${jobId(req)}`);
  });
}
