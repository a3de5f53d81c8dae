// Bulk actions on selected rows: delete them, or set one column to one value. A preview shows N rows with
// before -> after first; applying runs in the background (progress survives a page reload) through the same
// permission-checked, audited row path as a single edit, all under one batch id. The job's report reads each
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
  /** Not yet sent; done: the row path returned or threw. */
  status: 'waiting' | 'done';
  /** The row already held the value: nothing was written. */
  alreadySo?: boolean;
  /** What the row path threw (a refusal before any write has no audit outcome). */
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

export function createBulkService(deps: { tables: TableService; clock: Clock; outcomes: ChangeOutcomes }) {
  const jobs = new Map<string, BulkJob>();

  /** The form body that sets `column` to the typed value through the normal row path (and its one parser). */
  function setBody(column: string, raw: string, type: string): Record<string, string> {
    return { ...(type === 'boolean' ? { [`b:${column}`]: '1' } : {}), [`f:${column}`]: raw };
  }

  return {
    async preview(user: CurrentUser, org: OrgView, tableId: string, body: unknown) {
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
      const byRef = new Map(data.rows.map(data.present).map((r) => [r.ref, r]));
      const items = request.refs.map((ref) => {
        const row = byRef.get(ref);
        if (!row) throw new NotFoundError('A selected row no longer exists; reload the table and select again.');
        // A row keyed `.`/`..` cannot be addressed in Genesys (ADR 004): the preview counts it as refused.
        const refused = row.fixed ? fixedKeyNote(String(row.values.key ?? ''), row.values.key !== undefined) : null;
        return { ref, label: row.values.key !== undefined ? String(row.values.key) : '(hidden key)', before: request.action === 'set' ? row.values[request.column] : undefined, after: value, values: row.values, refused };
      });
      const changing = items.filter((i) => !i.refused && (request.action === 'delete' || i.before !== value)).length;
      return { request, value, table, access, columns: data.columns, items, changing, refused: items.filter((i) => i.refused).length };
    },

    async start(user: CurrentUser, org: OrgView, tableId: string, body: unknown, actor: Actor): Promise<BulkJob> {
      const plan = await this.preview(user, org, tableId, body);
      const job: BulkJob = {
        id: randomUUID(),
        batchId: randomUUID(),
        userId: user.id,
        orgId: org.id,
        tableId,
        tableName: plan.table.name,
        action: plan.request.action,
        column: plan.request.column,
        total: plan.items.length,
        done: 0,
        items: plan.items.map((i) => ({ label: i.label, changeId: randomUUID(), status: 'waiting' })),
        status: 'running',
        startedAt: deps.clock.now(),
      };
      jobs.set(job.id, job);
      const type = plan.table.schema.properties[plan.request.column]?.type ?? 'string';
      void (async () => {
        for (const [i, item] of plan.items.entries()) {
          const state = job.items[i]!;
          const write = { batchId: job.batchId, changeId: state.changeId };
          try {
            if (item.refused) throw new ValidationError(item.refused);
            if (job.action === 'delete') await deps.tables.deleteRow(user, org, tableId, item.ref, actor, 'Bulk delete', write);
            else state.alreadySo = (await deps.tables.updateRow(user, org, tableId, item.ref, { ...setBody(job.column, plan.request.raw, type), reason: 'Bulk edit' }, actor, write)).changed.length === 0;
          } catch (err) {
            state.error = (err as Error).message;
          }
          state.status = 'done';
          job.done++;
        }
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
