// What a kind of background job gives the runner (a handler) and what the runner gives a running job (its
// context). A handler never touches the job table: it reads its stored plan from the context, reports
// progress, failures and notes through it, and asks it between steps whether to stop. See docs/adr/013-durable-jobs.md.
import type { Actor } from '../lib/actor.js';

export const JOB_STATUSES = ['queued', 'running', 'finished', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** One step that did not work; `table` and `key` name the row when the step was a row change. */
export interface JobFailure {
  table?: string;
  key?: string;
  message: string;
}

/** A job as stored, its JSON columns parsed. */
export interface JobRecord<Plan = unknown, Result = Record<string, unknown>> {
  id: string;
  kind: string;
  userId: number;
  orgId: string | null;
  status: JobStatus;
  plan: Plan;
  actor: Actor;
  batchId: string | null;
  total: number;
  done: number;
  result: Result;
  failures: JobFailure[];
  notes: string[];
  error: string | null;
  cancelRequested: boolean;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** A job as its pages show it: the record plus what the runner knows while it runs. */
export interface JobView<Plan = unknown, Result = Record<string, unknown>> extends JobRecord<Plan, Result> {
  /** The kind's name for one job, as sentences use it ("restore", "backup"). */
  noun: string;
  /** Estimated from this run's pace; null until a step is done or when the job is not running here. */
  remainingSeconds: number | null;
  cancellable: boolean;
  resumable: boolean;
  /** What the kind's page shows besides progress (the handler's `report`); only on a job read for its page. */
  report?: Record<string, unknown>;
}

/** Thrown by `stopIfAsked` between steps; the runner records the job as cancelled (or, at shutdown, leaves it to resume). */
export class JobStopped extends Error {
  constructor(readonly why: 'cancel' | 'shutdown') {
    super(why === 'cancel' ? 'Cancelled on request.' : 'The app is stopping; the job resumes at the next start.');
    this.name = 'JobStopped';
  }
}

export interface JobContext<Plan = unknown, Result = Record<string, unknown>> {
  readonly id: string;
  readonly orgId: string | null;
  readonly batchId: string | null;
  readonly createdAt: Date;
  /**
   * Who asked for it: as recorded then (name, address, request: for audit entries, also after a restart),
   * with the role re-read at every start, so rights are checked with today's rights.
   */
  readonly actor: Actor;
  /** True when this run carries on a job that had already started (after a restart or a resume). */
  readonly resumed: boolean;
  /** The stored plan; a handler that changes it (e.g. a table it created) calls savePlan(). */
  readonly plan: Plan;
  readonly result: Result;
  readonly failures: JobFailure[];
  readonly notes: string[];
  readonly done: number;
  readonly total: number;
  /** Stores progress (and the failures, notes and result gathered so far). */
  progress(p: { done?: number; total?: number; result?: Partial<Result> }): Promise<void>;
  savePlan(): Promise<void>;
  /** True once a cancel was asked for or the app is stopping: a step loop (or the row-change engine) stops. */
  shouldStop(): boolean;
  /** Throws JobStopped when shouldStop(); call between steps, never inside one. */
  stopIfAsked(): void;
}

export interface JobHandler<Plan = unknown, Result = Record<string, unknown>> {
  /** "restore", "backup", "bulk change": used in messages ("That restore does not exist."). */
  noun: string;
  /**
   * Does the job, or carries it on from its stored progress when `ctx.resumed`. It must be safe to run again
   * after a crash at any point without repeating a write (write-ahead audit + settle + skip what is done).
   * Throwing fails the job with the error's message (written for the user).
   */
  run(ctx: JobContext<Plan, Result>): Promise<void>;
  /** A failed or cancelled job may be resumed by its owner or an administrator. */
  resumable: boolean;
  /** Said in the job's notes when it is carried on after a restart (what the user should know about that). */
  restartNote?: string;
  /**
   * What the job's page shows besides its progress, worked out when the page is shown (e.g. each row's
   * outcome, read from the audit log, which the reconciler may settle after the job has ended).
   */
  report?(job: JobView<Plan, Result>): Promise<Record<string, unknown>>;
}
