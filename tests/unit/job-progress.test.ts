// The job runner stores progress at most once a second (on its clock), not at every step: a bulk change that
// settles 1,000 imported rows at once would otherwise write its job record 1,000 times. What a restart needs
// is stored at once (a new result value, a new total), and the job's page shows the live count meanwhile.
import { describe, expect, it } from 'vitest';
import type { JobChanges, JobRepository, NewJob } from '../../src/jobs/job-repository.js';
import { createJobRunner } from '../../src/jobs/job-runner.js';
import type { JobContext, JobRecord } from '../../src/jobs/job-types.js';
import { ManualClock } from '../../src/lib/clock.js';
import type { Logger } from '../../src/lib/logger.js';

const owner = {
  id: 1,
  email: 'o@example.com',
  displayName: 'Owner',
  role: 'ADMIN' as const,
  mustChangePassword: false,
  disabled: false,
};
const actor = { userId: 1, name: 'Owner', role: 'ADMIN' as const };

/** The Job table in memory, with every stored update kept (a copy of what was written). */
function memoryRepo() {
  const jobs = new Map<string, JobRecord>();
  const updates: JobChanges[] = [];
  const repo: JobRepository = {
    async create(job: NewJob) {
      const record: JobRecord = {
        ...job,
        status: 'queued',
        done: 0,
        result: {},
        failures: [],
        notes: [],
        error: null,
        cancelRequested: false,
        startedAt: null,
        finishedAt: null,
      };
      jobs.set(job.id, record);
      return structuredClone(record);
    },
    async find(id) {
      const job = jobs.get(id);
      return job ? structuredClone(job) : null;
    },
    async update(id, changes) {
      updates.push(structuredClone(changes));
      Object.assign(jobs.get(id)!, structuredClone(changes));
    },
    async list() {
      return [...jobs.values()].map((j) => structuredClone(j));
    },
    async unfinished() {
      return [...jobs.values()]
        .filter((j) => j.status === 'queued' || j.status === 'running')
        .map((j) => structuredClone(j));
    },
  };
  return { repo, updates, stored: (id: string) => jobs.get(id)! };
}

function runnerWith(clock: ManualClock) {
  const memory = memoryRepo();
  const quiet = { info() {}, warn() {}, error() {} } as unknown as Logger;
  const runner = createJobRunner({
    repo: memory.repo,
    users: { findById: async () => owner },
    audit: { record: async () => {} },
    clock,
    logger: quiet,
  });
  return { runner, ...memory };
}

/** A handler the test drives: it reports what `inside` asks it to, and ends at `finish()`. */
function drivenJob() {
  let ctx: JobContext<unknown, Record<string, unknown>> | undefined;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  return {
    handler: {
      noun: 'test job',
      resumable: false,
      async run(c: JobContext<unknown, Record<string, unknown>>) {
        ctx = c;
        await finished;
      },
    },
    /** Runs `fn` as the running job (with its context). */
    async inside(fn: (c: JobContext<unknown, Record<string, unknown>>) => Promise<void>) {
      while (!ctx) await new Promise((r) => setImmediate(r));
      await fn(ctx);
    },
    finish: () => finish(),
  };
}

describe('job progress', () => {
  it('is stored at the first step and then at most once a second, while the page shows every step', async () => {
    const clock = new ManualClock(Date.parse('2026-12-01T12:00:00Z'));
    const { runner, updates, stored } = runnerWith(clock);
    const job = drivenJob();
    runner.register('test', job.handler);
    const { id } = await runner.submit(actor, 'test', {}, { total: 1000 });
    const progressWrites = () => updates.filter((u) => u.done !== undefined && u.status === undefined).length;

    await job.inside(async (ctx) => {
      for (let done = 1; done <= 1000; done++) await ctx.progress({ done });
    });
    expect(progressWrites()).toBe(1); // the first step: the stored job shows it is moving
    expect(stored(id).done).toBe(1);
    expect((await runner.get(actor, id)).done).toBe(1000); // the page: the count of this run, not the stored one

    clock.advance(1000);
    await job.inside((ctx) => ctx.progress({ done: 1000 }));
    expect(progressWrites()).toBe(2);
    expect(stored(id).done).toBe(1000);

    job.finish();
    await runner.idle();
    expect(stored(id)).toMatchObject({ status: 'finished', done: 1000 });
  });

  it('stores at once a result value a restart needs, and a new total', async () => {
    const clock = new ManualClock(Date.parse('2026-12-01T12:00:00Z'));
    const { runner, stored } = runnerWith(clock);
    const job = drivenJob();
    runner.register('test', job.handler);
    const { id } = await runner.submit(actor, 'test', {}, { total: 10 });

    await job.inside(async (ctx) => {
      await ctx.progress({ done: 1 });
      await ctx.progress({ done: 2, result: { preRestoreBackupId: 'b-1' } });
    });
    expect(stored(id)).toMatchObject({ done: 2, result: { preRestoreBackupId: 'b-1' } });
    await job.inside((ctx) => ctx.progress({ done: 3, total: 12 }));
    expect(stored(id)).toMatchObject({ done: 3, total: 12 });
    // The same value again is no news: the count waits for the interval.
    await job.inside((ctx) => ctx.progress({ done: 4, result: { preRestoreBackupId: 'b-1' } }));
    expect(stored(id).done).toBe(3);

    job.finish();
    await runner.idle();
    expect(stored(id)).toMatchObject({ status: 'finished', done: 4, total: 12 });
  });
});
