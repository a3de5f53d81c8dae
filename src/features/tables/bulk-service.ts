// Bulk actions on selected rows: delete them, or set one column to one value. A preview shows N rows with
// before -> after first; applying runs in the background (progress survives a page reload) as one ChangeSet
// of the change engine (rights, locks, write-ahead audit; the table read once, then one call per row or one
// CSV import job, whichever is fewer calls), all under one batch id. The job's report reads each
// row's outcome from the audit log when it is shown, so a write whose answer was lost shows as "unknown, being
// checked" until the reconciler settles it, and then as what it really did.
import { randomUUID } from 'node:crypto';
import type { Row } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import type { CurrentUser } from '../../lib/current-user.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { formList } from '../../lib/forms.js';
import type { ChangeOutcomes, ChangeState } from '../audit/change-outcomes.js';
import type { ChangeEngine } from '../changes/change-engine.js';
import type { ChangeResult, RowChange } from '../changes/row-change.js';
import type { OrgView } from '../orgs/org-service.js';
import { fixedKeyNote } from './key-rules.js';
import { parseRowForm } from './row-form.js';
import type { TableService } from './table-service.js';

export const MAX_BULK_ROWS = 5000;

export interface BulkRequest {
  refs: string[];
  action: 'delete' | 'set';
  column: string;
  /** As typed in the form (checkbox: "on" or absent). */
  raw: string;
}

/** One selected row of a job, as far as the job itself knows it (the write's outcome is in the audit log). */
export interface BulkItem {
  label: string;
  /** The audit change id its write is recorded under. */
  changeId: string;
  /** Not yet sent; done: the engine gave its result. */
  status: 'waiting' | 'done';
  /** The row already held the value: nothing was written. */
  alreadySo?: boolean;
  /** Why it was not written (a refusal before any write has no audit outcome). */
  error?: string;
}

export type BulkRowOutcome = 'waiting' | 'changed' | 'confirmed' | 'already' | 'not-changed' | 'checked-not-changed' | 'unknown' | 'conflict';

/** How the report words each outcome. */
export const BULK_OUTCOME_TEXT: Record<BulkRowOutcome, string> = {
  waiting: 'waiting',
  changed: 'changed',
  confirmed: 'changed (confirmed by checking Genesys Cloud after its answer was lost)',
  already: 'already had this value, nothing written',
  'not-changed': 'not changed',
  'checked-not-changed': 'not changed (checked in Genesys Cloud after its answer was lost)',
  unknown: 'unknown, being checked: Genesys Cloud’s answer was lost; the row is checked again shortly',
  conflict: 'changed by someone else meanwhile: an administrator should look at it in the audit log',
};

const FROM_AUDIT: Record<ChangeState, BulkRowOutcome> = {
  unknown: 'unknown',
  applied: 'changed',
  failed: 'not-changed',
  'reconciled-applied': 'confirmed',
  'reconciled-not-applied': 'checked-not-changed',
  'reconciled-conflict': 'conflict',
};

export interface BulkJob {
  id: string;
  batchId: string;
  userId: number;
  orgId: string;
  tableId: string;
  tableName: string;
  action: 'delete' | 'set';
  column: string;
  total: number;
  done: number;
  items: BulkItem[];
  status: 'running' | 'finished';
  startedAt: number;
  finishedAt?: number;
}

function readRequest(body: unknown): BulkRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const refs = formList(b.sel);
  if (refs.length === 0) throw new ValidationError('Select at least one row first.', { sel: 'Select at least one row first.' });
  if (refs.length > MAX_BULK_ROWS) throw new ValidationError(`Select at most ${MAX_BULK_ROWS} rows.`, { sel: `Select at most ${MAX_BULK_ROWS} rows.` });
  const action = b.action === 'delete' ? 'delete' : b.action === 'set' ? 'set' : null;
  if (!action) throw new ValidationError('Choose what to do with the selected rows.', { action: 'Choose what to do with the selected rows.' });
  return { refs: [...new Set(refs)], action, column: typeof b.column === 'string' ? b.column : '', raw: typeof b.value === 'string' ? b.value : '' };
}

/** The form body that sets `column` to the typed value, read by the row form's one parser. */
function setBody(column: string, raw: string, type: string): Record<string, string> {
  return { ...(type === 'boolean' ? { [`b:${column}`]: '1' } : {}), [`f:${column}`]: raw };
}

/** Why a row was not written, in the report's words (null: it was, or its outcome is in the audit log). */
function problemOf(r: ChangeResult): string | null {
  if (r.status === 'failed' || r.status === 'unknown') return r.error.message;
  if (r.status === 'gone') return 'That row no longer exists in Genesys Cloud.';
  if (r.status === 'conflict') return 'The row changed meanwhile.';
  if (r.status === 'stopped') return 'The bulk change stopped before this row.';
  return null;
}

export function createBulkService(deps: { tables: TableService; engine: ChangeEngine; clock: Clock; outcomes: ChangeOutcomes }) {
  const jobs = new Map<string, BulkJob>();

  /** What a bulk request would do, and the selected rows' keys (kept out of the preview: a key may be hidden). */
  async function plan(user: CurrentUser, org: OrgView, tableId: string, body: unknown) {
      const request = readRequest(body);
      const data = await deps.tables.rows(user, org, tableId);
      const { access, table } = data;
      if (request.action === 'delete' && !access.canDelete) throw new ForbiddenError(access.readOnlyReason ?? 'You may not delete rows in this table.');
      let value: Row[string] | undefined;
      if (request.action === 'set') {
        if (!access.canEdit) throw new ForbiddenError(access.readOnlyReason ?? 'You may not edit rows in this table.');
        const prop = table.schema.properties[request.column];
        if (!prop || access.columns[request.column] !== 'write' || request.column === 'key') throw new ForbiddenError('Choose a column you may change.');
        // Yes/no columns have their own select on the form; typed text is parsed the same way.
        const yesNo = (body as Record<string, unknown>).yesNo;
        if (prop.type === 'boolean' && (yesNo === 'yes' || yesNo === 'no')) request.raw = yesNo;
        try {
          value = parseRowForm(setBody(request.column, request.raw, prop.type), table.schema, access, 'update').values[request.column];
        } catch (err) {
          // The page shows one message: make it the one naming the column and what is wrong with the value.
          if (err instanceof ValidationError && err.fieldErrors[request.column]) throw new ValidationError(err.fieldErrors[request.column]!, err.fieldErrors);
          throw err;
        }
      }
      const byRef = new Map(data.rows.map((r) => [data.present(r), String(r.key)] as const).map(([r, key]) => [r.ref, { ...r, key }]));
      const keys: string[] = [];
      const items = request.refs.map((ref) => {
        const row = byRef.get(ref);
        if (!row) throw new NotFoundError('A selected row no longer exists; reload the table and select again.');
        // A row keyed `.`/`..` cannot be addressed in Genesys (ADR 004): the preview counts it as refused.
        const refused = row.fixed ? fixedKeyNote(String(row.values.key ?? ''), row.values.key !== undefined) : null;
        keys.push(row.key);
        return { ref, label: row.values.key !== undefined ? String(row.values.key) : '(hidden key)', before: request.action === 'set' ? row.values[request.column] : undefined, after: value, values: row.values, refused };
      });
      const changing = items.filter((i) => !i.refused && (request.action === 'delete' || i.before !== value)).length;
      return { keys, preview: { request, value, table, access, columns: data.columns, items, changing, refused: items.filter((i) => i.refused).length } };
  }

  return {
    async preview(user: CurrentUser, org: OrgView, tableId: string, body: unknown) {
      return (await plan(user, org, tableId, body)).preview;
    },

    async start(user: CurrentUser, org: OrgView, tableId: string, body: unknown, actor: Actor): Promise<BulkJob> {
      const { keys, preview } = await plan(user, org, tableId, body);
      const job: BulkJob = {
        id: randomUUID(),
        batchId: randomUUID(),
        userId: user.id,
        orgId: org.id,
        tableId,
        tableName: preview.table.name,
        action: preview.request.action,
        column: preview.request.column,
        total: preview.items.length,
        done: 0,
        items: preview.items.map((i) => ({ label: i.label, changeId: randomUUID(), status: 'waiting' })),
        status: 'running',
        startedAt: deps.clock.now(),
      };
      jobs.set(job.id, job);
      // Rows keyed `.`/`..` are refused before the engine (Genesys cannot address them); the rest are one set.
      const sent: number[] = [];
      const changes: RowChange[] = [];
      for (const [i, item] of preview.items.entries()) {
        const state = job.items[i]!;
        if (item.refused) {
          Object.assign(state, { status: 'done', error: item.refused });
          job.done++;
          continue;
        }
        sent.push(i);
        const base = { id: state.changeId, tableId, key: keys[i]! };
        changes.push(job.action === 'delete' ? { ...base, kind: 'delete' } : { ...base, kind: 'update', write: { [job.column]: preview.value! } });
      }
      const reason = job.action === 'delete' ? 'Bulk delete' : 'Bulk edit';
      const doing = job.action === 'delete' ? 'This bulk delete' : 'This bulk change';
      /** A row's state once the engine has its result. */
      const settle = (n: number, r: ChangeResult) => {
        const state = job.items[sent[n]!]!;
        state.status = 'done';
        state.alreadySo = r.status === 'unchanged';
        // A row written on its own after a refused import has its own change id: the report follows it.
        if ('changeId' in r && r.changeId) state.changeId = r.changeId;
        const problem = problemOf(r);
        if (problem) state.error = problem;
      };
      void (async () => {
        try {
          const { results } = await deps.engine.apply(
            { user, org, actor, batchId: job.batchId, reason, doing, changes },
            {
              onProgress: (done, _total, last) => {
                settle(last.index, last.result);
                job.done = job.items.length - sent.length + done;
              },
            },
          );
          results.forEach((r, n) => job.items[sent[n]!]!.status === 'waiting' && settle(n, r));
        } catch (err) {
          // Refused as a whole (rights changed since the preview) or the audit log could not be written.
          for (const i of sent) if (job.items[i]!.status === 'waiting') Object.assign(job.items[i]!, { status: 'done', error: (err as Error).message });
        }
        job.done = job.items.length;
        job.status = 'finished';
        job.finishedAt = deps.clock.now();
      })();
      return job;
    },

    /** A job, only for the user who started it. */
    get(jobId: string, userId: number): BulkJob {
      const job = jobs.get(jobId);
      if (!job || job.userId !== userId) throw new NotFoundError('That bulk action does not exist.');
      return job;
    },

    /** Each row's outcome as the audit log has it now, with counts per outcome. */
    async report(job: BulkJob) {
      const recorded = await deps.outcomes.of(job.items.filter((i) => i.status === 'done').map((i) => i.changeId));
      const rows = job.items.map((item) => {
        const audited = recorded.get(item.changeId);
        const outcome: BulkRowOutcome = item.status === 'waiting' ? 'waiting' : audited ? (FROM_AUDIT[audited.state] ?? 'unknown') : item.alreadySo ? 'already' : item.error ? 'not-changed' : 'changed';
        return { label: item.label, outcome, text: BULK_OUTCOME_TEXT[outcome], message: audited?.message ?? (outcome === 'not-changed' ? item.error : undefined) };
      });
      const counts = new Map<BulkRowOutcome, number>();
      for (const r of rows) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
      return { rows, counts: [...counts].map(([outcome, count]) => ({ outcome, text: BULK_OUTCOME_TEXT[outcome], count })) };
    },
  };
}

export type BulkService = ReturnType<typeof createBulkService>;
