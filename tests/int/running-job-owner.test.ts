// A job while it runs in this process (its live progress ahead of the stored one) belongs to its owner like
// a stored one (R8), and runs only with the powers its owner has now: an owner demoted or disabled while the
// job runs stops it at the next step, rather than leaving it to finish with the powers they lost.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actorOfUser } from '../helpers/test-app.js';
import { permissionWorld, postForm, type PermissionWorld } from '../helpers/permission-fixtures.js';
import type { JobContext } from '../../src/jobs/job-types.js';

const CANARY = 'LIVE-NOTE-CANARY-7731';

let w: PermissionWorld;
/** Lets the test job take its next step (set by the job each time it waits), and how many waits were released. */
let release: (() => void) | undefined;
let waits = 0;
let released = 0;
/** The role the job saw at each step. */
let rolesSeen: string[];

beforeEach(async () => {
  w = await permissionWorld();
  rolesSeen = [];
  release = undefined;
  waits = released = 0;
  w.t.services.jobs.register('probe', {
    noun: 'probe',
    resumable: false,
    async run(ctx: JobContext<unknown, Record<string, unknown>>) {
      for (let step = 1; step <= 3; step++) {
        await new Promise<void>((r) => {
          release = r;
          waits++;
        });
        ctx.stopIfAsked();
        rolesSeen.push(ctx.actor.role);
        ctx.notes.push(`${CANARY} step ${step}`);
        await ctx.progress({ done: step, total: 3, result: { secret: CANARY } });
      }
    },
  });
});
afterEach(async () => w.t.close());

/** Lets the job take its next step once it is waiting for it. */
const next = async () => {
  await expect.poll(() => waits, { timeout: 5000, interval: 10 }).toBeGreaterThan(released);
  released++;
  release!();
};
/** Lets the job take every step it still waits for, until it has ended. */
const runToEnd = async (jobId: string) => {
  for (;;) {
    const { status } = await w.t.db.job.findUniqueOrThrow({ where: { id: jobId } });
    if (/finished|failed|cancelled/.test(status)) return w.t.services.jobs.idle();
    if (waits > released) {
      released++;
      release!();
    }
    await new Promise((r) => setTimeout(r, 20));
  }
};
const stepped = async (n: number) => {
  await next();
  await expect.poll(() => rolesSeen.length, { timeout: 5000, interval: 10 }).toBe(n);
};

describe('a job running in this process', () => {
  it('is invisible to another user through its page, the list and cancel, while its live progress shows to its owner', async () => {
    const owner = w.users.viewer;
    const other = w.users.tableEditor;
    const job = await w.t.services.jobs.submit(await actorOfUser(w.t, owner.id), 'probe', {});
    await stepped(1);

    const ownPage = await owner.agent.get(`/jobs/${job.id}`);
    expect(ownPage.status).toBe(200);
    expect(ownPage.text).toContain(CANARY); // the live note is shown to the owner

    const page = await other.agent.get(`/jobs/${job.id}`);
    expect(page.status).toBe(404);
    expect(page.text).not.toContain(CANARY);
    const list = await other.agent.get('/jobs');
    expect(list.text).not.toContain(job.id);
    expect(list.text).not.toContain(CANARY);
    const cancel = await postForm(other.agent, `/jobs/${job.id}/cancel`);
    expect(cancel.status).toBe(404);
    expect(cancel.text).not.toContain(CANARY);
    const resume = await postForm(other.agent, `/jobs/${job.id}/resume`);
    expect(resume.status).toBe(404);

    // Administrators see every job.
    expect((await w.admin.get(`/jobs/${job.id}`)).text).toContain(CANARY);
    await stepped(2);
    await stepped(3);
    await w.t.services.jobs.idle();
    expect((await w.t.db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('finished');
  });

  it('stops when its owner is demoted from administrator while it runs', async () => {
    const second = await w.t.db.user.update({ where: { id: w.users.none.id }, data: { role: 'ADMIN' } });
    const job = await w.t.services.jobs.submit(await actorOfUser(w.t, second.id), 'probe', {});
    await stepped(1);
    expect(rolesSeen).toEqual(['ADMIN']);
    await w.t.db.user.update({ where: { id: second.id }, data: { role: 'USER' } });
    w.t.clock.advance(5000); // past the interval at which the runner looks at its owner again
    await runToEnd(job.id);
    const stored = await w.t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(rolesSeen.length).toBeLessThan(3); // no step taken with the lost powers after the check
    expect(stored.status).toBe('failed');
    expect(stored.error).toMatch(/lost administrator rights/i);
  });

  it('carries on when its owner is promoted while it runs (it only ever had fewer powers)', async () => {
    const owner = w.users.viewer;
    const job = await w.t.services.jobs.submit(await actorOfUser(w.t, owner.id), 'probe', {});
    await stepped(1);
    await w.t.db.user.update({ where: { id: owner.id }, data: { role: 'ADMIN' } });
    w.t.clock.advance(5000);
    await runToEnd(job.id);
    expect(rolesSeen).toHaveLength(3);
    expect((await w.t.db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('finished');
  });

  it('stops when its owner is disabled while it runs', async () => {
    const owner = w.users.viewer;
    const job = await w.t.services.jobs.submit(await actorOfUser(w.t, owner.id), 'probe', {});
    await stepped(1);
    await w.t.db.user.update({ where: { id: owner.id }, data: { disabled: true } });
    w.t.clock.advance(5000);
    await runToEnd(job.id);
    const stored = await w.t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(rolesSeen.length).toBeLessThan(3);
    expect(stored.status).toBe('failed');
  });
});
