// Bulk actions on selected rows: delete them, or set one column to one value. A preview shows N rows with
// before -> after first; applying runs in the background (progress survives a page reload) through the same
// permission-checked, audited row path as a single edit, all under one batch id.
import { randomUUID } from 'node:crypto';
import type { Row } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import type { CurrentUser } from '../../lib/current-user.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { formList } from '../../lib/forms.js';
import type { OrgView } from '../orgs/org-service.js';
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
  failures: { label: string; message: string }[];
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

export function createBulkService(deps: { tables: TableService; clock: Clock }) {
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
        return { ref, label: row.values.key !== undefined ? String(row.values.key) : '(hidden key)', before: request.action === 'set' ? row.values[request.column] : undefined, after: value, values: row.values };
      });
      return { request, value, table, access, columns: data.columns, items, changing: items.filter((i) => request.action === 'delete' || i.before !== value).length };
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
        failures: [],
        status: 'running',
        startedAt: deps.clock.now(),
      };
      jobs.set(job.id, job);
      const type = plan.table.schema.properties[plan.request.column]?.type ?? 'string';
      void (async () => {
        for (const item of plan.items) {
          try {
            if (job.action === 'delete') await deps.tables.deleteRow(user, org, tableId, item.ref, actor, 'Bulk delete', { batchId: job.batchId });
            else await deps.tables.updateRow(user, org, tableId, item.ref, { ...setBody(job.column, plan.request.raw, type), reason: 'Bulk edit' }, actor, { batchId: job.batchId });
          } catch (err) {
            job.failures.push({ label: item.label, message: (err as Error).message });
          }
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
  };
}

export type BulkService = ReturnType<typeof createBulkService>;
