// The durable job runner: every background job (restore, backup; bulk changes, batch undo and imports next) is
// a row in the Job table with its plan and progress, run by the handler registered for its kind, one run per
// job in this process. Jobs that were queued or running when the process stopped are carried on at start-up;
// the handler's own write-ahead makes that exact. A cancel is a flag the handler reads between steps; a clean
// shutdown asks running jobs to stop the same way and leaves them to resume at the next start.
// A job belongs to the person who asked for it: anyone else gets "does not exist" (404, not 403), except
// administrators, who see and act on every job.
import { randomUUID } from 'node:crypto';
import type { AuditInput } from '../features/audit/audit-service.js';
import type { Actor } from '../lib/actor.js';
import type { Clock } from '../lib/clock.js';
import { ConflictError, NotFoundError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { JobRepository } from './job-repository.js';
import { JobStopped, type JobContext, type JobHandler, type JobRecord, type JobView } from './job-types.js';
import { listedOwner, mayAdminister, maySeeJob } from '../features/permissions/policy.js';

interface UserLookup {
  findById(id: number): Promise<{ role: Actor['role']; disabled: boolean } | null>;
}

interface AuditLike {
  record(input: AuditInput, actor: Actor | null): Promise<void>;
}

/** A run of a job in this process: its cancel flag, where this run started (for the time left), its progress. */
interface ActiveRun {
  cancel: boolean;
  startedAt: number;
  doneAtStart: number;
  done: number;
  /** The progress as the handler reports it, ahead of the stored one (shown while the job runs here). */
  live?: Pick<JobRecord, 'done' | 'total' | 'result' | 'failures' | 'notes'>;
  /** When progress was last stored (clock), and the count stored then. */
  storedAt: number;
  storedDone: number;
  /** Why the job must stop because its owner was disabled or their role changed while it ran (see ownerCheck). */
  ownerChanged?: string;
}

const ENDED = new Set(['finished', 'failed', 'cancelled']);

/**
 * Progress counts are stored at most this often (injected clock): a job that settles 1,000 rows of an
 * import at once would otherwise write its record 1,000 times. Nothing a restart needs is lost by the lag:
 * the engine's write-ahead audit is what makes a resumed job exact, and a lagging count only means a resumed
 * job reports again rows it had already done.
 */
const STORE_PROGRESS_EVERY_MS = 1000;

export function createJobRunner(deps: {
  repo: JobRepository;
  users: UserLookup;
  audit: AuditLike;
  clock: Clock;
  logger: Logger;
}) {
  const handlers = new Map<string, JobHandler<never, never>>();
  const active = new Map<string, ActiveRun>();
  const runs = new Set<Promise<void>>();
  let stopping = false;

  const handlerOf = (kind: string) => handlers.get(kind) as JobHandler<unknown, Record<string, unknown>> | undefined;
  const nounOf = (kind?: string) => (kind && handlerOf(kind)?.noun) || 'job';

  /**
   * The recorded actor with the owner's role as it is now; a job whose owner cannot sign in any more does
   * not run. (The name, address and request id stay as recorded: they say who asked, and from where.)
   */
  async function actorNow(job: JobRecord): Promise<Actor> {
    const found = await deps.users.findById(job.userId);
    if (!found || found.disabled)
      throw new Error(`The person who started this ${nounOf(job.kind)} can no longer sign in, so it was stopped.`);
    return { ...job.actor, userId: job.userId, role: found.role };
  }

  /**
   * Looks at the owner again while the job runs (each time its progress is stored, so at most once a second):
   * a job must not finish with powers its owner lost meanwhile (demoted or disabled), so it stops at its next
   * step, failed with the reason; a resumable kind can be resumed and then runs with the owner's rights as
   * they are then.
   */
  async function ownerCheck(job: JobRecord, actor: Actor, run: ActiveRun): Promise<void> {
    try {
      const now = await actorNow(job);
      // Only a loss of powers stops it: a job started with fewer rights than its owner now has is still safe.
      if (mayAdminister(actor) && !mayAdminister(now))
        run.ownerChanged = `The person who started this ${nounOf(job.kind)} lost administrator rights while it ran, so it was stopped.`;
    } catch (err) {
      run.ownerChanged = (err as Error).message;
    }
  }

  function contextOf(
    job: JobRecord,
    actor: Actor,
    resumed: boolean,
    run: ActiveRun,
  ): JobContext<unknown, Record<string, unknown>> {
    const ctx = {
      id: job.id,
      orgId: job.orgId,
      batchId: job.batchId,
      createdAt: job.createdAt,
      actor,
      resumed,
      plan: job.plan,
      result: job.result,
      failures: job.failures,
      notes: job.notes,
      done: job.done,
      total: job.total,
      async progress(p: { done?: number; total?: number; result?: Record<string, unknown> }) {
        // News is stored at once: a new total, or a result key given a new value (e.g. the pre-restore
        // backup's id, which a resumed restore must not make twice). So is the first step of a run (the
        // stored job shows it is moving). Counts, and results that grow in place, wait for the interval.
        const news =
          (p.total !== undefined && p.total !== ctx.total) ||
          Object.entries(p.result ?? {}).some(([k, v]) => ctx.result[k] !== v);
        if (p.done !== undefined) ctx.done = run.done = p.done;
        if (p.total !== undefined) ctx.total = p.total;
        if (p.result) Object.assign(ctx.result, p.result);
        const firstStep = run.storedDone === run.doneAtStart && ctx.done > run.doneAtStart;
        if (!news && !firstStep && deps.clock.now() - run.storedAt < STORE_PROGRESS_EVERY_MS) return;
        run.storedAt = deps.clock.now();
        run.storedDone = ctx.done;
        await ownerCheck(job, actor, run);
        await deps.repo.update(job.id, {
          done: ctx.done,
          total: ctx.total,
          result: ctx.result,
          failures: ctx.failures,
          notes: ctx.notes,
        });
      },
      savePlan: () => deps.repo.update(job.id, { plan: ctx.plan }),
      shouldStop: () => run.cancel || stopping || run.ownerChanged !== undefined,
      stopIfAsked() {
        if (run.ownerChanged !== undefined) throw new Error(run.ownerChanged);
        if (run.cancel) throw new JobStopped('cancel');
        if (stopping) throw new JobStopped('shutdown');
      },
    };
    run.live = ctx;
    return ctx;
  }

  async function execute(job: JobRecord, resumed: boolean, run: ActiveRun): Promise<void> {
    const handler = handlerOf(job.kind);
    let ctx: JobContext<unknown, Record<string, unknown>> | null = null;
    const now = () => new Date(deps.clock.now());
    try {
      await deps.repo.update(job.id, { status: 'running', error: null, startedAt: job.startedAt ?? now() });
      if (!handler) throw new Error(`This version of the app cannot run a job of kind “${job.kind}”.`);
      ctx = contextOf(job, await actorNow(job), resumed, run);
      ctx.stopIfAsked();
      await handler.run(ctx);
      await deps.repo.update(job.id, {
        status: 'finished',
        finishedAt: now(),
        done: ctx.done,
        total: ctx.total,
        result: ctx.result,
        failures: ctx.failures,
        notes: ctx.notes,
      });
    } catch (err) {
      const progress = ctx
        ? { done: ctx.done, total: ctx.total, result: ctx.result, failures: ctx.failures, notes: ctx.notes }
        : {};
      if (err instanceof JobStopped && err.why === 'shutdown') {
        await deps.repo.update(job.id, progress); // still 'running': carried on at the next start
      } else if (err instanceof JobStopped) {
        await deps.repo.update(job.id, { ...progress, status: 'cancelled', finishedAt: now() });
        deps.logger.info('job cancelled', { event: 'job.cancelled', jobId: job.id, kind: job.kind });
      } else {
        const message = (err as Error).message;
        deps.logger.warn('job stopped', { event: 'job.failed', jobId: job.id, kind: job.kind, reason: message });
        await deps.repo.update(job.id, { ...progress, status: 'failed', error: message, finishedAt: now() });
      }
    }
  }

  /** Runs a stored job in the background (once per process at a time); never throws. */
  function launch(job: JobRecord, resumed: boolean): void {
    if (active.has(job.id) || stopping) return;
    const run: ActiveRun = {
      cancel: job.cancelRequested,
      startedAt: deps.clock.now(),
      doneAtStart: job.done,
      done: job.done,
      storedAt: deps.clock.now(),
      storedDone: job.done,
    };
    active.set(job.id, run);
    const p = execute(job, resumed, run)
      // Only the database itself failing gets here; the job stays as it was and is carried on at the next start.
      .catch(
        (err: unknown) =>
          void deps.logger.error('job could not be run', {
            event: 'job.error',
            jobId: job.id,
            kind: job.kind,
            reason: (err as Error).message,
          }),
      )
      .finally(() => {
        active.delete(job.id);
        runs.delete(p);
      });
    runs.add(p);
  }

  /** A stored job with the progress of its run in this process, if any (the stored progress may lag it). */
  function current(job: JobRecord): JobRecord {
    const live = active.get(job.id)?.live;
    return live
      ? { ...job, done: live.done, total: live.total, result: live.result, failures: live.failures, notes: live.notes }
      : job;
  }

  /** The job if `actor` may see it (owner or administrator); otherwise, or when `kind` differs, "does not exist". */
  async function visible(actor: Actor, jobId: string, kind?: string): Promise<JobRecord> {
    const job = await deps.repo.find(jobId);
    if (!job || (kind && job.kind !== kind) || !maySeeJob(actor, { ownerId: job.userId }))
      throw new NotFoundError(`That ${nounOf(kind)} does not exist.`);
    return current(job);
  }

  function viewOf(job: JobRecord): JobView {
    const run = active.get(job.id);
    const handler = handlerOf(job.kind);
    const stepsThisRun = run ? run.done - run.doneAtStart : 0;
    const remainingMs =
      run && stepsThisRun > 0
        ? ((deps.clock.now() - run.startedAt) / stepsThisRun) * Math.max(0, job.total - job.done)
        : null;
    return {
      ...job,
      noun: nounOf(job.kind),
      remainingSeconds: remainingMs === null ? null : Math.ceil(remainingMs / 1000),
      cancellable: !ENDED.has(job.status) && !job.cancelRequested,
      resumable: Boolean(handler?.resumable) && (job.status === 'failed' || job.status === 'cancelled') && !run,
    };
  }

  return {
    register<Plan, Result extends Record<string, unknown>>(kind: string, handler: JobHandler<Plan, Result>): void {
      if (handlers.has(kind)) throw new Error(`A handler for job kind “${kind}” is already registered.`);
      handlers.set(kind, handler as unknown as JobHandler<never, never>);
    },

    /** Stores a job and starts it in the background; the stored plan is all a restart needs to carry it on. */
    async submit<Plan>(
      actor: Actor,
      kind: string,
      plan: Plan,
      opts: { orgId?: string | null; batchId?: string | null; total?: number; createdAt?: number } = {},
    ): Promise<JobView<Plan>> {
      if (!handlers.has(kind)) throw new Error(`No handler is registered for job kind “${kind}”.`);
      const job = await deps.repo.create({
        id: randomUUID(),
        kind,
        userId: actor.userId,
        orgId: opts.orgId ?? null,
        plan,
        actor,
        batchId: opts.batchId ?? null,
        total: opts.total ?? 0,
        createdAt: new Date(opts.createdAt ?? deps.clock.now()),
      });
      launch(job, false);
      return viewOf(job) as JobView<Plan>;
    },

    /** A job `actor` may see (`kind`: only a job of that kind, for a kind's own pages). */
    async get(actor: Actor, jobId: string, kind?: string): Promise<JobView> {
      const view = viewOf(await visible(actor, jobId, kind));
      const report = handlerOf(view.kind)?.report;
      if (report) view.report = await report(view);
      return view;
    },

    /** The newest jobs `actor` may see: their own, or everyone's for an administrator. */
    async list(actor: Actor, opts: { kind?: string; take?: number } = {}): Promise<JobView[]> {
      const jobs = await deps.repo.list({ userId: listedOwner(actor), kind: opts.kind }, opts.take ?? 100);
      return jobs.map((j) => viewOf(current(j)));
    },

    /** Plans of the jobs of `kind` not yet ended (e.g. restores from a backup about to be deleted). */
    async unfinishedPlans<Plan>(kind: string): Promise<Plan[]> {
      return (await deps.repo.unfinished(kind)).map((j) => j.plan as Plan);
    },

    /** Asks a queued or running job to stop at its next step; audited. */
    async cancel(actor: Actor, jobId: string, kind?: string): Promise<void> {
      const job = await visible(actor, jobId, kind);
      if (ENDED.has(job.status)) throw new ConflictError(`This ${nounOf(job.kind)} has already ended.`);
      const run = active.get(jobId);
      await deps.repo.update(
        jobId,
        run
          ? { cancelRequested: true }
          : { cancelRequested: true, status: 'cancelled', finishedAt: new Date(deps.clock.now()) },
      );
      if (run) run.cancel = true;
      await deps.audit.record(
        {
          action: 'job.cancelled',
          orgId: job.orgId,
          batchId: job.batchId,
          details: { jobId, kind: job.kind, done: job.done, total: job.total },
        },
        actor,
      );
    },

    /** Starts a failed or cancelled job again from where it stopped (kinds that allow it). */
    async resume(actor: Actor, jobId: string, kind?: string): Promise<void> {
      const job = await visible(actor, jobId, kind);
      if (!viewOf(job).resumable) throw new ConflictError(`Only a stopped ${nounOf(job.kind)} can be resumed.`);
      await deps.repo.update(jobId, { status: 'running', error: null, cancelRequested: false, finishedAt: null });
      launch({ ...job, status: 'running', cancelRequested: false }, true);
    },

    /** At start-up: jobs that were queued or running when the process stopped carry on. */
    async resumeInterrupted(): Promise<number> {
      const jobs = (await deps.repo.unfinished()).filter((j) => !active.has(j.id));
      for (const job of jobs) {
        const started = job.startedAt !== null;
        deps.logger.info('resuming a job stopped by a restart', {
          event: 'job.resumed',
          jobId: job.id,
          kind: job.kind,
        });
        const note = handlerOf(job.kind)?.restartNote;
        if (started && note) await deps.repo.update(job.id, { notes: [...job.notes, note] });
        launch(started && note ? { ...job, notes: [...job.notes, note] } : job, started);
      }
      return jobs.length;
    },

    /** Asks running jobs to stop at their next step (they stay 'running' and resume at the next start); waits up to `waitMs`. */
    async stop(waitMs = 3000): Promise<void> {
      stopping = true;
      await Promise.race([Promise.allSettled([...runs]), new Promise((r) => setTimeout(r, waitMs).unref())]);
    },

    /** Resolves when every job running now has ended its run (tests). */
    async idle(): Promise<void> {
      while (runs.size) await Promise.allSettled([...runs]);
    },
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
