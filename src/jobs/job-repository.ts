// The Job table: the only module that reads or writes it. JSON columns go in and come out parsed.
import type { Db } from '../db/database.js';
import type { Job } from '../db/generated/client.js';
import type { Actor } from '../lib/actor.js';
import type { JobFailure, JobRecord, JobStatus } from './job-types.js';

export interface NewJob {
  id: string;
  kind: string;
  userId: number;
  orgId: string | null;
  plan: unknown;
  actor: Actor;
  batchId: string | null;
  total: number;
  createdAt: Date;
}

export interface JobChanges {
  status?: JobStatus;
  plan?: unknown;
  total?: number;
  done?: number;
  result?: unknown;
  failures?: JobFailure[];
  notes?: string[];
  error?: string | null;
  cancelRequested?: boolean;
  startedAt?: Date;
  finishedAt?: Date | null;
}

const UNFINISHED: JobStatus[] = ['queued', 'running'];

function parse(row: Job): JobRecord {
  return {
    ...row,
    status: row.status as JobStatus,
    plan: JSON.parse(row.plan) as unknown,
    actor: JSON.parse(row.actor) as Actor,
    result: JSON.parse(row.result) as Record<string, unknown>,
    failures: JSON.parse(row.failures) as JobFailure[],
    notes: JSON.parse(row.notes) as string[],
  };
}

const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));

export function createJobRepository(db: Db) {
  return {
    async create(job: NewJob): Promise<JobRecord> {
      return parse(
        await db.job.create({
          data: { ...job, status: 'queued', plan: JSON.stringify(job.plan), actor: JSON.stringify(job.actor) },
        }),
      );
    },

    async find(id: string): Promise<JobRecord | null> {
      const row = await db.job.findUnique({ where: { id } });
      return row ? parse(row) : null;
    },

    async update(id: string, changes: JobChanges): Promise<void> {
      const { plan, result, failures, notes, ...plain } = changes;
      await db.job.update({
        where: { id },
        data: { ...plain, plan: json(plan), result: json(result), failures: json(failures), notes: json(notes) },
      });
    },

    /** Newest first; `userId` undefined = everyone's (administrators). */
    async list(filter: { userId?: number; kind?: string }, take: number): Promise<JobRecord[]> {
      const rows = await db.job.findMany({
        where: { userId: filter.userId, kind: filter.kind },
        orderBy: { createdAt: 'desc' },
        take,
      });
      return rows.map(parse);
    },

    /** Jobs that were queued or running when the process stopped (or that are running now). */
    async unfinished(kind?: string): Promise<JobRecord[]> {
      const rows = await db.job.findMany({
        where: { status: { in: UNFINISHED }, kind },
        orderBy: { createdAt: 'asc' },
      });
      return rows.map(parse);
    },
  };
}

export type JobRepository = ReturnType<typeof createJobRepository>;
