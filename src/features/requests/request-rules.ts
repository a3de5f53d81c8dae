// The rules of a change request that need no database: a schedule that makes sense, who may approve, and
// what its audit entries say. The request service (request-service.ts) applies them inside its transactions.
import type { Actor } from '../../lib/actor.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../lib/errors.js';
import type { OrgView } from '../orgs/org-service.js';
import { mayApproveOn } from '../permissions/policy.js';
import type { RequestEventDetails } from '../audit/audit-events.js';
import type { ViewerTables } from './request-view.js';
import type { ChangeRequestWithRows, RequestStatus } from './request-types.js';
import { EDITABLE_STATUSES } from './request-types.js';

const MAX_TEXT = 4000;

/** The text a person typed, trimmed, required or not, at most `max` characters. */
export function text(value: string | undefined, field: string, label: string, required: boolean, max = MAX_TEXT) {
  const v = (value ?? '').trim();
  if (required && !v) throw new ValidationError(`${label} is required.`, { [field]: `Give ${label.toLowerCase()}.` });
  if (v.length > max)
    throw new ValidationError(`${label} is too long.`, { [field]: `At most ${max} characters (got ${v.length}).` });
  return v;
}

export interface Schedule {
  applyAt?: Date | null;
  revertAt?: Date | null;
}

const bad = (field: string, message: string) =>
  new ValidationError('Please correct the schedule.', { [field]: message });

/**
 * A schedule as a person sets it: apply time not in the past, revert time after the apply time (or after now
 * when it applies at approval), and no schedule at all in a read-only org (nothing may be written there).
 */
export function checkedSchedule(
  org: OrgView,
  s: Schedule,
  now: number,
): { applyAt: Date | null; revertAt: Date | null } {
  const applyAt = s.applyAt ?? null;
  const revertAt = s.revertAt ?? null;
  if (org.readOnly)
    throw new ForbiddenError(`The org “${org.name}” is read-only: no change can be requested or scheduled in it.`);
  for (const [field, at] of [['applyAt', applyAt] as const, ['revertAt', revertAt] as const])
    if (at && Number.isNaN(at.getTime()))
      throw bad(field, `The ${field === 'applyAt' ? 'apply' : 'revert'} time is not a valid time.`);
  if (applyAt && applyAt.getTime() < now) throw bad('applyAt', 'The apply time is in the past: choose a later time.');
  if (revertAt && applyAt && revertAt.getTime() <= applyAt.getTime())
    throw bad('revertAt', 'The revert time must be after the apply time.');
  if (revertAt && revertAt.getTime() <= now)
    throw bad('revertAt', 'The revert time is in the past: choose a later time.');
  return { applyAt, revertAt };
}

/**
 * A playbook's content (purpose 'playbook') is published when approved and never written to Genesys, so it
 * takes no apply or revert time: one would hand it to the scheduler, which writes (and reverts) rows.
 */
export function assertSchedulable(req: { purpose: string }, s: Schedule): void {
  if (req.purpose === 'playbook' && (s.applyAt || s.revertAt))
    throw bad(
      s.applyAt ? 'applyAt' : 'revertAt',
      'A playbook’s content takes no schedule: it is published when approved, and runs write it.',
    );
}

export function assertStatus(req: { status: RequestStatus }, allowed: readonly RequestStatus[], doing: string): void {
  if (!allowed.includes(req.status))
    throw new ConflictError(`This change request is ${req.status.replace('_', ' ')}: it can no longer be ${doing}.`);
}

export function assertAuthor(actor: Actor, req: { authorId: number }, doing: string): void {
  if (req.authorId !== actor.userId) throw new ForbiddenError(`Only the author of a change request may ${doing} it.`);
}

export const assertEditable = (req: { status: RequestStatus }) => assertStatus(req, EDITABLE_STATUSES, 'changed');

/**
 * Approving (or rejecting, asking for changes, re-approving held rows) needs `canApprove` on every table of the
 * request and never the author (R2); with `seeEveryColumn`, also sight of every column the request writes or
 * deletes, so nobody approves values they were not shown. Tables the approver may not view are not named.
 */
export function assertMayDecide(
  actor: Actor,
  req: ChangeRequestWithRows,
  seen: ViewerTables,
  opts: { doing: string; seeEveryColumn: boolean },
): void {
  if (req.authorId === actor.userId) throw new ForbiddenError(`You may not ${opts.doing} your own change request.`);
  // `seen` was read before the caller's transaction: a table added since is not in it, so nothing is decided.
  if (req.rows.some((r) => !seen.has(r.tableId)))
    throw new ConflictError('The change request changed meanwhile: open it again.');
  for (const [tableId, t] of seen) {
    const name = req.rows.find((r) => r.tableId === tableId)?.tableName || 'a table';
    if (!t)
      throw new ForbiddenError(`You may not ${opts.doing} this change request: it changes a table you may not view.`);
    if (!mayApproveOn(t.access))
      throw new ForbiddenError(t.access.readOnlyReason ?? `You may not ${opts.doing} changes to ${name}.`);
  }
  if (!opts.seeEveryColumn) return;
  for (const r of req.rows) {
    const t = seen.get(r.tableId)!;
    const columns = Object.keys((r.kind === 'delete' ? r.original : r.requested) ?? {});
    if (columns.some((c) => !t.columns.includes(c)))
      throw new ForbiddenError(
        `You may not ${opts.doing} this change request: it changes columns of ${r.tableName || 'a table'} you cannot see.`,
      );
  }
}

/** Approvals that count: one per approver (never the author) for the current version. */
export function approvalsFor(req: ChangeRequestWithRows): number {
  const who = new Set(
    req.reviews
      .filter((v) => v.verdict === 'approve' && v.version === req.version && v.userId !== req.authorId)
      .map((v) => v.userId),
  );
  return who.size;
}

/** What a request's audit entries say about it: ids, title, version, counts; never row values. */
export function requestDetails(
  req: ChangeRequestWithRows,
  extra: Partial<RequestEventDetails> = {},
): RequestEventDetails {
  return {
    request: req.id,
    title: req.title,
    version: req.version,
    rows: req.rows.length,
    tables: [...new Set(req.rows.map((r) => r.tableName || r.tableId))],
    approvals: approvalsFor(req),
    approvalsNeeded: req.approvalsNeeded,
    applyAt: req.applyAt?.toISOString() ?? null,
    revertAt: req.revertAt?.toISOString() ?? null,
    ...(req.playbookId ? { playbook: req.playbookId } : {}),
    ...extra,
  };
}
