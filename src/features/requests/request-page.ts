// What the change-request pages show, built by pure functions from what the request service hands out (its
// rows and reviews are already masked for the viewer: hidden columns are not in them, and nothing here may add
// a column the rows do not carry). Times are shown in the org's zone with their offset (zoned-time.ts).
import type { Row } from '../../genesys/gateway.js';
import { formatInZone, toLocalInput } from '../../lib/zoned-time.js';
import type {
  ChangeRequestRecord,
  ChangeRequestWithRows,
  HeldPhase,
  RequestRow,
  RequestRowState,
  RequestStatus,
  ReviewVerdict,
} from './request-types.js';

/** What a submission did: under a direct policy it needs no approval and is approved (or applied) at once. */
export const submittedMessage = (status: RequestStatus): string =>
  status === 'submitted'
    ? 'Submitted for approval.'
    : 'Submitted. Its tables need no approval, so it is approved and applies at its time (at once if it has none).';

export const STATUS_TEXT: Record<RequestStatus, string> = {
  draft: 'Draft',
  submitted: 'Waiting for approval',
  changes_requested: 'Changes asked for',
  approved: 'Approved',
  applying: 'Being applied',
  applied: 'Applied',
  held: 'Held',
  reverting: 'Being reverted',
  reverted: 'Reverted',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
  failed: 'Failed',
};

export const ROW_STATE_TEXT: Record<RequestRowState, string> = {
  pending: 'to do',
  applied: 'applied',
  unchanged: 'already held these values',
  held: 'held: changed since it was requested',
  dropped: 'dropped',
  failed: 'failed',
  reverted: 'reverted',
  revert_held: 'revert held: changed during the window',
};

export const VERDICT_TEXT: Record<ReviewVerdict, string> = {
  comment: 'commented',
  approve: 'approved',
  reject: 'rejected',
  ask_changes: 'asked for changes',
  withdraw: 'withdrew it',
  reapprove: 'approved the held rows again',
};

/** A value as the page prints it: '—' for none, Yes/No for booleans, text as it is. */
export function shown(value: Row[string] | undefined | null): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

const same = (a: Row[string] | undefined, b: Row[string] | undefined) => shown(a) === shown(b);

export interface DiffCell {
  column: string;
  original: string;
  requested: string;
  /** The row's value when it was held (someone else's); null when the row was not held. */
  theirs: string | null;
  /** The request writes this column to something other than it held. */
  changed: boolean;
  /** Someone changed this column after the request was made (held rows). */
  moved: boolean;
  /** The column the request writes (an approver may edit it). */
  written: boolean;
  /** The raw requested value, for an edit input. */
  input: string;
}

export interface DiffRow {
  id: number;
  tableId: string;
  tableName: string;
  label: string;
  kind: RequestRow['kind'];
  state: RequestRowState;
  stateText: string;
  message: string | null;
  editedBy: string | null;
  held: boolean;
  cells: DiffCell[];
}

/** The columns a row shows, in the order its values carry them (key first): only those the service left in. */
function columnsOf(row: RequestRow): string[] {
  const cols = new Set<string>();
  for (const values of [row.original, row.requested, row.theirs])
    for (const c of Object.keys(values ?? {})) cols.add(c);
  return [...cols].sort((a, b) => (a === 'key' ? -1 : b === 'key' ? 1 : 0));
}

export function diffRow(row: RequestRow): DiffRow {
  const held = row.state === 'held' || row.state === 'revert_held';
  const original = row.original ?? {};
  const requested = row.requested ?? {};
  const cells = columnsOf(row).map((column): DiffCell => {
    const written = row.kind !== 'delete' && Object.hasOwn(requested, column);
    // A column an update leaves alone keeps its value; a delete removes every column.
    const after = row.kind === 'delete' ? undefined : written ? requested[column] : original[column];
    const theirs = held && row.theirs ? row.theirs[column] : undefined;
    return {
      column,
      original: row.original ? shown(original[column]) : '—',
      requested: shown(after),
      theirs: held ? shown(theirs) : null,
      changed: row.kind === 'delete' ? row.original !== null : written && !same(original[column], after),
      moved: held && !same(original[column], theirs),
      written,
      input: written && after !== undefined && after !== null ? String(after) : '',
    };
  });
  const key = row.requested?.key ?? row.original?.key ?? row.theirs?.key;
  return {
    id: row.id,
    tableId: row.tableId,
    tableName: row.tableName,
    // A key hidden from the viewer is not in the values: the row is named by its place.
    label: key !== undefined ? String(key) : `Row ${row.position + 1} (key hidden)`,
    kind: row.kind,
    state: row.state,
    stateText: ROW_STATE_TEXT[row.state],
    message: row.message,
    editedBy: row.editedBy,
    held,
    cells,
  };
}

export interface ScheduleView {
  applyAt: string | null;
  revertAt: string | null;
  /** Values for <input type="datetime-local"> in the org's zone. */
  applyInput: string;
  revertInput: string;
  zone: string;
}

export function scheduleOf(r: Pick<ChangeRequestRecord, 'applyAt' | 'revertAt'>, zone: string): ScheduleView {
  return {
    applyAt: r.applyAt ? formatInZone(r.applyAt, zone) : null,
    revertAt: r.revertAt ? formatInZone(r.revertAt, zone) : null,
    applyInput: r.applyAt ? toLocalInput(r.applyAt, zone) : '',
    revertInput: r.revertAt ? toLocalInput(r.revertAt, zone) : '',
    zone,
  };
}

/** "2 of 3": approvals for the version shown (an approval of an earlier version no longer counts: R1). */
export function approvalsOf(r: ChangeRequestWithRows): { given: number; needed: number; by: string[] } {
  const by = [
    ...new Set(r.reviews.filter((v) => v.verdict === 'approve' && v.version === r.version).map((v) => v.userName)),
  ];
  return { given: by.length, needed: r.approvalsNeeded, by };
}

/** The tables a request touches, by name, once each. */
export const tableNamesOf = (rows: Pick<RequestRow, 'tableId' | 'tableName'>[]): string[] => [
  ...new Map(rows.map((r) => [r.tableId, r.tableName || r.tableId])).values(),
];

/** Which of the review page's actions to offer; the service checks each again when it is used. */
export interface ReviewActions {
  comment: boolean;
  approve: boolean;
  reject: boolean;
  askChanges: boolean;
  /** The approver may change these columns' values before approving, per table. */
  editable: Record<string, string[]>;
  submit: boolean;
  schedule: boolean;
  withdraw: boolean;
  drop: boolean;
  reapprove: boolean;
  confirm: boolean;
  revertNow: boolean;
}

/**
 * The actions for `viewer`: the author drafts, submits, reschedules and withdraws; someone else with the approve
 * right on every table of it decides (approve, reject, ask for changes, re-approve held rows); either may drop
 * held rows, confirm a held request and revert an applied one.
 */
export function reviewActions(
  r: ChangeRequestRecord & { rows: readonly Pick<RequestRow, 'state'>[] },
  viewer: { userId: number },
  rights: { approveAll: boolean; waitsForViewer: boolean; writable: Record<string, string[]> },
): ReviewActions {
  const author = r.authorId === viewer.userId;
  const decider = !author && rights.approveAll;
  // The service's own answer (waiting for this viewer): submitted, not theirs, every table and column theirs to
  // approve, and not approved by them yet at this version.
  const deciding = decider && r.status === 'submitted' && rights.waitsForViewer;
  const held = r.status === 'held';
  // The service re-approves only held rows and confirms only a request with none (it refuses the other way).
  const rowsHeld = r.rows.some((row) => row.state === 'held' || row.state === 'revert_held');
  return {
    comment: r.status !== 'draft',
    approve: deciding,
    reject: deciding,
    askChanges: deciding,
    editable: deciding ? rights.writable : {},
    submit: author && (r.status === 'draft' || r.status === 'changes_requested'),
    schedule: author && r.status === 'submitted',
    withdraw:
      author &&
      (['draft', 'submitted', 'changes_requested', 'approved'].includes(r.status) || (held && r.heldPhase === 'apply')),
    drop: held && (author || decider),
    reapprove: held && rowsHeld && decider,
    confirm: held && !rowsHeld && (author || decider),
    revertNow: r.status === 'applied' && (author || decider),
  };
}

/** The re-approve button of held rows: what it writes over someone else's values, per phase. */
export function heldRowsAction(phase: HeldPhase | null): string {
  return phase === 'revert'
    ? 'Revert the held rows anyway (original values over theirs)'
    : 'Approve the held rows again (requested values over theirs)';
}
