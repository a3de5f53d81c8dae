// Change requests (issue 15): a ChangeSet saved to be checked by others and/or applied at a set time instead
// of at once. The shapes every part shares: the stored request and its rows as services hand them around, the
// statuses and how one leads to the next. The request service (request-service.ts) is the only code that
// moves a request from one status to another; the apply and revert jobs (request-apply.ts) hand its rows to
// the change engine; the scheduler (request-scheduler.ts) starts those jobs when their time comes.
import type { Row } from '../../genesys/gateway.js';

/**
 * - draft: the author is still putting it together (they may add changes to it); nobody else sees it.
 * - submitted: waiting for approvals (a change to its rows or schedule withdraws them: R1).
 * - changes_requested: an approver sent it back; the author edits and submits again.
 * - approved: approved (or needing no approval); waiting for its apply time, or about to be applied.
 * - applying / reverting: its apply or revert job runs.
 * - applied: written; waiting for its revert time if it has one.
 * - held: waits for a person (heldPhase says for which step, heldReason why): a row changed since it was
 *   requested, the schedule fell due too late, a right needed was revoked.
 * - reverted, rejected, withdrawn, failed: closed.
 */
export const REQUEST_STATUSES = [
  'draft',
  'submitted',
  'changes_requested',
  'approved',
  'applying',
  'applied',
  'held',
  'reverting',
  'reverted',
  'rejected',
  'withdrawn',
  'failed',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Statuses in which the author may still change the rows and the schedule (edits after approval: R1). */
export const EDITABLE_STATUSES: readonly RequestStatus[] = ['draft', 'submitted', 'changes_requested'];
/** Statuses after which nothing more happens to a request. */
export const CLOSED_STATUSES: readonly RequestStatus[] = ['reverted', 'rejected', 'withdrawn', 'failed'];

export const ROW_STATES = [
  'pending',
  'applied',
  'unchanged',
  'held',
  'dropped',
  'failed',
  'reverted',
  'revert_held',
] as const;
export type RequestRowState = (typeof ROW_STATES)[number];

export type RequestPurpose = 'change' | 'playbook';
export type HeldPhase = 'apply' | 'revert';

export interface RequestRow {
  id: number;
  position: number;
  tableId: string;
  tableName: string;
  key: string;
  kind: 'create' | 'update' | 'delete';
  /** The row's values when the change was requested (null: no such row). The apply expects them. */
  original: Row | null;
  /** What to write: the columns the change sets (null for a delete). */
  requested: Row | null;
  state: RequestRowState;
  /** The row as found when it was held: someone else's values. */
  theirs: Row | null;
  message: string | null;
  editedById: number | null;
  editedBy: string | null;
}

export type ReviewVerdict = 'comment' | 'approve' | 'reject' | 'ask_changes' | 'withdraw' | 'reapprove';

export interface RequestReview {
  id: number;
  userId: number;
  userName: string;
  verdict: ReviewVerdict;
  comment: string;
  version: number;
  at: Date;
}

export interface ChangeRequestRecord {
  id: string;
  orgId: string;
  title: string;
  reason: string;
  authorId: number;
  authorName: string;
  purpose: RequestPurpose;
  playbookId: string | null;
  status: RequestStatus;
  version: number;
  approvalsNeeded: number;
  applyAt: Date | null;
  revertAt: Date | null;
  heldPhase: HeldPhase | null;
  heldReason: string | null;
  batchId: string | null;
  revertBatchId: string | null;
  jobId: string | null;
  submittedAt: Date | null;
  appliedAt: Date | null;
  revertedAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ChangeRequestWithRows extends ChangeRequestRecord {
  rows: RequestRow[];
  reviews: RequestReview[];
}

/** An org's or a table's change policy: whether changes need approval, and how many approvers. */
export interface ChangePolicy {
  mode: 'direct' | 'approval';
  /** 1-3 under 'approval'; 0 under 'direct'. */
  approvalsNeeded: number;
}

export const MAX_APPROVALS = 3;
