// Bulk actions on selected rows: delete them, or set one column to one value. A preview shows N rows with
// before -> after first; applying is a durable job of kind `bulk` (src/jobs/, ADR 013): its stored plan names
// the table, each selected row's key and the value, and its change ids follow from the batch id and the row's
// place in the plan, so a job carried on after a restart settles what it had sent and writes nothing twice. The
// handler hands the rows to the change engine as one ChangeSet (rights, locks, write-ahead audit; the table read
// once, then one call per row or one CSV import job, whichever is fewer calls), all under one batch id. The
// job's report reads each row's outcome from the audit log when it is shown, so a write whose answer was lost
// shows as "unknown, being checked" until the reconciler settles it, and then as what it really did.
import { randomUUID } from 'node:crypto';
import type { Row } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { formList } from '../../lib/forms.js';
import type { JobRunner } from '../../jobs/job-runner.js';
import type { JobContext, JobView } from '../../jobs/job-types.js';
import type { ChangeOutcomes, ChangeState } from '../audit/change-outcomes.js';
import type { ChangeEngine } from '../changes/change-engine.js';
import { derivedChangeId, newChangeId, type ChangeResult, type RowChange } from '../changes/row-change.js';
import type { OrgService, OrgView } from '../orgs/org-service.js';
import { fixedKeyNote } from './key-rules.js';
import { parseRowForm } from './row-form.js';
import { applyRowQuery, parseRowQuery, rowQueryParams } from './row-query.js';
import { readPasteRequest } from './paste-request.js';
import { assertMayWrite, assertWritable } from './write-rights.js';
import type { TableService } from './table-service.js';
import { checkValue } from '../formats/format-enforcement.js';
import type { TableFormats } from '../formats/format-types.js';

export const MAX_BULK_ROWS = 5000;
export const BULK_JOB = 'bulk';

export interface BulkRequest {
  refs: string[];
  /**
   * "Select all N matching rows": the rows are every row matching the search and filters sent with the form,
   * recomputed here from the table as this person may see it (never a list of rows from the browser).
   */
  all: boolean;
  action: 'delete' | 'set';
  column: string;
  /** As typed in the form (checkbox: "on" or absent). */
  raw: string;
}

export type BulkRowOutcome =
  | 'waiting'
  | 'sending'
  | 'changed'
  | 'confirmed'
  | 'already'
  | 'not-changed'
  | 'checked-not-changed'
  | 'unknown'
  | 'conflict';

/** How the report words each outcome. */
export const BULK_OUTCOME_TEXT: Record<BulkRowOutcome, string> = {
  waiting: 'waiting',
  sending: 'being written to Genesys Cloud',
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

/** What a bulk job stores as its plan: everything a restart needs to apply it again, exactly. */
export interface BulkPlan {
  tableId: string;
  tableName: string;
  /** 'paste': a range pasted into the grid; each item carries its own values (and may add a row). */
  action: 'delete' | 'set' | 'paste';
  column: string;
  /** The parsed value a 'set' writes. */
  value?: Row[string];
  /** The selected rows in order; a row's change id is derived from the batch id and its index here. */
  items: PlanItem[];
}

export interface PlanItem {
  label: string;
  key: string;
  refused?: string;
  /** A paste's values for this row (the whole new row when `create`). */
  write?: Row;
  /** A paste's values as the preview showed them before: a cell someone changed since is a conflict. */
  baseline?: Row;
  create?: boolean;
}

/**
 * What the job itself knows of its rows beyond the audit log, by index in the plan: the rows that already
 * held the value (nothing written), why a row was not written when no audit outcome says it, and the change
 * id a row's outcome is recorded under when it is not the derived one (a later attempt).
 */
export interface BulkResult extends Record<string, unknown> {
  unchanged: number[];
  problems: Record<string, string>;
  changeIds: Record<string, string>;
}

/** The audit change id of the plan's row `index` (the same after a restart). */
const changeIdOf = (batchId: string, index: number) => derivedChangeId(batchId, 'bulk', index);

function readRequest(body: unknown): BulkRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const all = b.all === '1';
  const refs = all ? [] : formList(b.sel);
  if (!all && refs.length === 0)
    throw new ValidationError('Select at least one row first.', { sel: 'Select at least one row first.' });
  if (refs.length > MAX_BULK_ROWS)
    throw new ValidationError(`Select at most ${MAX_BULK_ROWS} rows.`, {
      sel: `Select at most ${MAX_BULK_ROWS} rows.`,
    });
  const action = b.action === 'delete' ? 'delete' : b.action === 'set' ? 'set' : null;
  if (!action)
    throw new ValidationError('Choose what to do with the selected rows.', {
      action: 'Choose what to do with the selected rows.',
    });
  return {
    refs: [...new Set(refs)],
    all,
    action,
    column: typeof b.column === 'string' ? b.column : '',
    raw: typeof b.value === 'string' ? b.value : '',
  };
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
  return null;
}

/** The row change of one row of a bulk plan (the job's own change id, or a new one for a change request). */
function changeOf(
  plan: Pick<BulkPlan, 'action' | 'column' | 'value' | 'tableId'>,
  item: Pick<PlanItem, 'key' | 'write' | 'baseline' | 'create'>,
  id: string,
): RowChange {
  const base = { id, tableId: plan.tableId, key: item.key };
  if (plan.action === 'paste')
    return item.create
      ? { ...base, kind: 'create', write: item.write!, ifExists: 'conflict' }
      : { ...base, kind: 'update', write: item.write!, baseline: item.baseline };
  return plan.action === 'delete'
    ? { ...base, kind: 'delete' }
    : { ...base, kind: 'update', write: { [plan.column]: plan.value! } };
}

export function createBulkService(deps: {
  tables: TableService;
  engine: ChangeEngine;
  orgs: OrgService;
  jobs: JobRunner;
  outcomes: ChangeOutcomes;
  /** Column formats: the preview refuses a value breaking one (the engine refuses it again when writing). */
  formatsFor(orgId: string, tableId: string): Promise<TableFormats>;
}) {
  /** What a bulk request would do, and the selected rows' keys (kept out of the preview: a key may be hidden). */
  async function plan(actor: Actor, org: OrgView, tableId: string, body: unknown) {
    const request = readRequest(body);
    const data = await deps.tables.rows(actor, org, tableId);
    const { access, table } = data;
    if (request.action === 'delete' && !access.canDelete)
      throw new ForbiddenError(access.readOnlyReason ?? 'You may not delete rows in this table.');
    let value: Row[string] | undefined;
    if (request.action === 'set') {
      if (!access.canEdit) throw new ForbiddenError(access.readOnlyReason ?? 'You may not edit rows in this table.');
      const prop = table.schema.properties[request.column];
      if (!prop || access.columns[request.column] !== 'write' || request.column === 'key')
        throw new ForbiddenError('Choose a column you may change.');
      // Yes/no columns have their own select on the form; typed text is parsed the same way.
      const yesNo = (body as Record<string, unknown>).yesNo;
      if (prop.type === 'boolean' && (yesNo === 'yes' || yesNo === 'no')) request.raw = yesNo;
      try {
        value = parseRowForm(setBody(request.column, request.raw, prop.type), table.schema, access, 'update').values[
          request.column
        ];
      } catch (err) {
        // The page shows one message: make it the one naming the column and what is wrong with the value.
        if (err instanceof ValidationError && err.fieldErrors[request.column])
          throw new ValidationError(err.fieldErrors[request.column]!, err.fieldErrors);
        throw err;
      }
      // Shown before anything starts, in the validator's words and the form the engine will write.
      const formats = { formats: await deps.formatsFor(org.id, tableId), schema: table.schema, visible: data.columns };
      const checked = value === undefined ? null : checkValue(formats, request.column, value);
      if (checked && !checked.ok) throw new ValidationError(checked.message, { [request.column]: checked.message });
      if (checked?.ok && typeof value === 'string') value = checked.value;
    }
    const byRef = new Map(
      data.rows.map((r) => [data.present(r), String(r.key)] as const).map(([r, key]) => [r.ref, { ...r, key }]),
    );
    const match = request.all ? parseRowQuery(body as Record<string, unknown>, data.columns) : null;
    if (match) {
      // Her search and filters over the columns she may see, as the table page computes them.
      const matching = applyRowQuery(data.rows, match, data.columns, table.schema.properties);
      if (matching.length === 0) throw new ValidationError('No rows match the search and filters.');
      if (matching.length > MAX_BULK_ROWS)
        throw new ValidationError(
          `${matching.length} rows match; a bulk change takes at most ${MAX_BULK_ROWS}. Narrow the search first.`,
        );
      request.refs = matching.map((r) => data.present(r).ref);
      // The preview's count is what she agreed to: applying refuses if the matching rows changed meanwhile.
      const expected = Number((body as Record<string, unknown>).expected);
      if (Number.isInteger(expected) && expected !== request.refs.length)
        throw new ValidationError(
          `The rows matching the search changed since the preview (${expected} then, ${request.refs.length} now). Check the preview again.`,
        );
    }
    const keys: string[] = [];
    const items = request.refs.map((ref) => {
      const row = byRef.get(ref);
      if (!row) throw new NotFoundError('A selected row no longer exists; reload the table and select again.');
      // A row keyed `.`/`..` cannot be addressed in Genesys (ADR 004): the preview counts it as refused.
      const refused = row.fixed ? fixedKeyNote(String(row.values.key ?? ''), row.values.key !== undefined) : null;
      keys.push(row.key);
      return {
        ref,
        label: row.values.key !== undefined ? String(row.values.key) : '(hidden key)',
        before: request.action === 'set' ? row.values[request.column] : undefined,
        after: value,
        values: row.values,
        refused,
      };
    });
    const changing = items.filter((i) => !i.refused && (request.action === 'delete' || i.before !== value)).length;
    return {
      keys,
      preview: {
        request,
        /** The search and filters "all matching rows" stood for, to send again when applying ([name, value]). */
        matchFields: match
          ? [...new URLSearchParams(rowQueryParams({ ...match, page: 1, view: '', hide: [], order: [] }))]
          : [],
        value,
        table,
        access,
        columns: data.columns,
        items,
        changing,
        refused: items.filter((i) => i.refused).length,
      },
    };
  }

  /**
   * What a pasted range would do (paste-request.ts): each line parsed by the row form's one parser against the
   * user's rights, as if she had typed it into that row's form. Hidden columns get the row form's answer (not
   * a column of this table), read-only ones the write-rights refusal, lines past the rows need the add right
   * and a new key. One refused cell refuses the paste (nothing is half-written), naming the line and column.
   */
  async function pastePlan(actor: Actor, org: OrgView, tableId: string, body: unknown) {
    const request = readPasteRequest(body);
    const data = await deps.tables.rows(actor, org, tableId);
    const { access, table } = data;
    const t = { table, access, columns: data.columns };
    const { columns, refs, cells } = request;
    const props = table.schema.properties;
    const title = (c: string) => props[c]?.title || c;
    const byRef = new Map(
      data.rows.map((r) => [data.present(r), String(r.key)] as const).map(([r, key]) => [r.ref, { ...r, key }]),
    );
    const existingKeys = new Set(data.rows.map((r) => String(r.key)));
    const newKeys = new Set<string>();
    const refuse = (line: number, err: unknown): never => {
      if (!(err instanceof ValidationError)) throw err;
      const [column, message] = Object.entries(err.fieldErrors)[0] ?? ['_form', err.message];
      const where = column === '_form' ? `Line ${line + 1}` : `Line ${line + 1}, ${title(column)}`;
      throw new ValidationError(`${where}: ${message}`, { tsv: `${where}: ${message}` });
    };
    const formBody = (line: string[], skip?: string) => {
      const b: Record<string, string> = {};
      columns.forEach((c, j) => {
        if (c === skip) return;
        if (props[c]?.type === 'boolean') b[`b:${c}`] = '1';
        b[`f:${c}`] = line[j]!;
      });
      return b;
    };
    const items = cells.map((line, i) => {
      if (i >= refs.length) {
        // In the row form's order: the table right, the values (hidden columns: "not a column"), column rights.
        assertWritable(access, 'canAdd', 'add rows');
        let values: Row = {};
        try {
          ({ values } = parseRowForm(formBody(line), table.schema, access, 'create'));
        } catch (err) {
          refuse(i, err);
        }
        assertMayWrite(t, 'create', Object.keys(values), 'This paste');
        const key = String(values.key);
        if (existingKeys.has(key) || newKeys.has(key))
          refuse(i, new ValidationError('x', { key: `a row “${key}” exists already (or is pasted twice).` }));
        newKeys.add(key);
        // Defaults of the columns the paste leaves out, as the Add a row form prefills them.
        for (const c of data.columns)
          if (!(c in values) && access.columns[c] === 'write' && props[c]?.default !== undefined)
            values[c] = props[c].default as Row[string];
        const changes = columns.map((c) => ({ column: c, before: undefined, after: values[c] }));
        return { ref: '', label: key, key, create: true, write: values, baseline: undefined, changes, refused: null };
      }
      const row = byRef.get(refs[i]!);
      if (!row) throw new NotFoundError('A row the paste lands on no longer exists; reload the table and paste again.');
      // The key column may be part of the range: the same key is no change; another key is refused (a rename).
      const keyIndex = columns.indexOf('key');
      const sameKey = keyIndex !== -1 && line[keyIndex] === String(row.values.key ?? '');
      assertWritable(access, 'canEdit', 'edit rows');
      let values: Row = {};
      try {
        ({ values } = parseRowForm(formBody(line, sameKey ? 'key' : undefined), table.schema, access, 'update'));
      } catch (err) {
        refuse(i, err);
      }
      assertMayWrite(t, 'update', Object.keys(values), 'This paste');
      const changes = Object.keys(values).map((c) => ({ column: c, before: row.values[c], after: values[c] }));
      const changed = changes.filter((ch) => ch.before !== ch.after);
      const write = Object.fromEntries(changed.map((ch) => [ch.column, ch.after!]));
      const baseline = Object.fromEntries(
        changed.filter((ch) => ch.before !== undefined).map((ch) => [ch.column, ch.before!]),
      );
      const refused = row.fixed ? fixedKeyNote(String(row.values.key ?? ''), row.values.key !== undefined) : null;
      const label = row.values.key !== undefined ? String(row.values.key) : '(hidden key)';
      return { ref: row.ref, label, key: row.key, create: false, write, baseline, changes, refused };
    });
    const changing = items.filter((i) => !i.refused && (i.create || Object.keys(i.write).length > 0)).length;
    return {
      request,
      table,
      access,
      columns: data.columns,
      titles: columns.map(title),
      items,
      changing,
      added: items.filter((i) => i.create).length,
      refused: items.filter((i) => i.refused).length,
    };
  }

  /**
   * Applies a stored bulk change (the runner's handler for 'bulk'), from the start or carried on: the engine
   * settles every change an earlier run recorded, so each row is reported again and written at most once.
   */
  async function run(ctx: JobContext<BulkPlan, BulkResult>): Promise<void> {
    const { plan } = ctx;
    const batchId = ctx.batchId!;
    const org = await deps.orgs.get(ctx.orgId!);
    const result: BulkResult = { unchanged: [], problems: {}, changeIds: {} };
    // Rows keyed `.`/`..` are refused before the engine (Genesys cannot address them); the rest are one set.
    const sent: number[] = [];
    const changes: RowChange[] = [];
    plan.items.forEach((item, i) => {
      if (item.refused) return void (result.problems[i] = item.refused);
      sent.push(i);
      changes.push(changeOf(plan, item, changeIdOf(batchId, i)));
    });
    const refused = plan.items.length - sent.length;
    await ctx.progress({ done: refused, result });
    const note = (i: number, r: ChangeResult) => {
      if (r.status === 'unchanged') result.unchanged.push(i);
      // A row written on its own after a refused import has its own change id: the report follows it.
      if ('changeId' in r && r.changeId && r.changeId !== changeIdOf(batchId, i)) result.changeIds[i] = r.changeId;
      const problem = problemOf(r);
      if (problem) result.problems[i] = problem;
    };
    const deleting = plan.action === 'delete';
    const pasting = plan.action === 'paste';
    await deps.engine.apply(
      {
        actor: ctx.actor,
        org,
        batchId,
        reason: deleting ? 'Bulk delete' : pasting ? 'Pasted into the grid' : 'Bulk edit',
        doing: deleting ? 'This bulk delete' : pasting ? 'This paste' : 'This bulk change',
        changes,
      },
      {
        // Asked between rows: a cancel keeps what was written (one batch, undoable) and the report says so.
        shouldStop: () => ctx.shouldStop(),
        onProgress: async (done, _total, last) => {
          note(sent[last.index]!, last.result);
          await ctx.progress({ done: refused + done, result });
        },
      },
    );
    ctx.stopIfAsked();
  }

  /** Each row's outcome as the audit log has it now, with counts per outcome (the job page's report). */
  async function report(job: JobView<BulkPlan, BulkResult>) {
    const { plan } = job;
    const batchId = job.batchId!;
    const running = job.status === 'running' || job.status === 'queued';
    const problems = job.result.problems ?? {};
    const unchanged = new Set(job.result.unchanged ?? []);
    const ids = plan.items.map((_, i) => job.result.changeIds?.[i] ?? changeIdOf(batchId, i));
    const recorded = await deps.outcomes.of(ids);
    // A row the job never reached: waiting while it runs; else not changed, and why the job stopped.
    const notReached =
      job.status === 'cancelled'
        ? 'The bulk change was cancelled before this row.'
        : (job.error ?? 'The bulk change stopped before this row.');
    const rows = plan.items.map((item, i) => {
      const audited = recorded.get(ids[i]!);
      const problem = problems[i];
      // Sent and not yet answered while the job runs: on its way. Once the job has stopped, the answer was lost.
      const outcome: BulkRowOutcome = audited
        ? audited.pending && running
          ? 'sending'
          : (FROM_AUDIT[audited.state] ?? 'unknown')
        : unchanged.has(i)
          ? 'already'
          : problem || !running
            ? 'not-changed'
            : 'waiting';
      return {
        label: item.label,
        outcome,
        text: BULK_OUTCOME_TEXT[outcome],
        message: audited?.message ?? (outcome === 'not-changed' ? (problem ?? notReached) : undefined),
      };
    });
    const counts = new Map<BulkRowOutcome, number>();
    for (const r of rows) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
    const count = (o: BulkRowOutcome) => counts.get(o) ?? 0;
    return {
      rows,
      counts: [...counts].map(([outcome, count]) => ({ outcome, text: BULK_OUTCOME_TEXT[outcome], count })),
      /** Rows written (as far as is known now): what a cancel leaves done, and what an undo of the batch reverts. */
      changed: count('changed') + count('confirmed'),
      checking: count('unknown'),
      tablePath: `/tables/${encodeURIComponent(plan.tableId)}`,
      // Rows whose outcome is still being checked settle when the reconciler runs: the page keeps itself current.
      refreshSeconds: count('unknown') ? 15 : null,
    };
  }

  deps.jobs.register<BulkPlan, BulkResult>(BULK_JOB, { noun: 'bulk change', resumable: true, run, report });

  return {
    async preview(actor: Actor, org: OrgView, tableId: string, body: unknown) {
      return (await plan(actor, org, tableId, body)).preview;
    },

    /**
     * The changes a bulk request would make, checked as its preview is, to keep in a change request instead of
     * applying them now (rows Genesys cannot address are left out, as the job leaves them).
     */
    async changes(actor: Actor, org: OrgView, tableId: string, body: unknown): Promise<RowChange[]> {
      const { keys, preview } = await plan(actor, org, tableId, body);
      const { request, value } = preview;
      const shape = { action: request.action, column: request.column, value, tableId };
      return preview.items.flatMap((item, n) =>
        item.refused ? [] : [changeOf(shape, { key: keys[n]! }, newChangeId())],
      );
    },

    /** Stores the bulk change as a job and starts it; the job's page follows it. */
    async start(actor: Actor, org: OrgView, tableId: string, body: unknown): Promise<JobView<BulkPlan>> {
      const { keys, preview } = await plan(actor, org, tableId, body);
      const { request, table, value } = preview;
      const stored: BulkPlan = {
        tableId,
        tableName: table.name,
        action: request.action,
        column: request.column,
        ...(request.action === 'set' ? { value } : {}),
        items: preview.items.map((i, n) => ({
          label: i.label,
          key: keys[n]!,
          ...(i.refused ? { refused: i.refused } : {}),
        })),
      };
      return deps.jobs.submit(actor, BULK_JOB, stored, {
        orgId: org.id,
        batchId: randomUUID(),
        total: stored.items.length,
      });
    },

    /** What a pasted range would change, for its preview page (nothing is written). */
    async pastePreview(actor: Actor, org: OrgView, tableId: string, body: unknown) {
      const preview = await pastePlan(actor, org, tableId, body);
      // The keys stay in the service (a key may be hidden): the page names rows by label and ref only.
      return { ...preview, items: preview.items.map(({ key: _key, write: _w, baseline: _b, ...shown }) => shown) };
    },

    /** Stores a pasted range as one bulk job (one batch id, undone as one unit) and starts it. */
    async startPaste(actor: Actor, org: OrgView, tableId: string, body: unknown): Promise<JobView<BulkPlan>> {
      const preview = await pastePlan(actor, org, tableId, body);
      const stored: BulkPlan = {
        tableId,
        tableName: preview.table.name,
        action: 'paste',
        column: '',
        // Rows the paste leaves as they are are not sent (nor counted) at all.
        items: preview.items
          .filter((i) => i.refused || i.create || Object.keys(i.write).length > 0)
          .map((i) => ({
            label: i.label,
            key: i.key,
            write: i.write,
            ...(i.create ? { create: true } : { baseline: i.baseline }),
            ...(i.refused ? { refused: i.refused } : {}),
          })),
      };
      if (stored.items.length === 0)
        throw new ValidationError('The paste changes nothing.', { tsv: 'The paste changes nothing.' });
      return deps.jobs.submit(actor, BULK_JOB, stored, {
        orgId: org.id,
        batchId: randomUUID(),
        total: stored.items.length,
      });
    },

    /** A bulk job `actor` may see (owner or administrator), with its report. */
    async get(actor: Actor, jobId: string): Promise<JobView<BulkPlan, BulkResult>> {
      return (await deps.jobs.get(actor, jobId, BULK_JOB)) as JobView<BulkPlan, BulkResult>;
    },

    report,
  };
}

export type BulkService = ReturnType<typeof createBulkService>;
