// Every kind of audit entry the app records, by action name, with the shape of its details: `audit.record` takes
// an AuditEvent, so a misspelt action or details of the wrong shape is a type error where it is recorded, and
// code that reads the log back (undo, the reconciler, the audit pages) names actions from the same lists. The
// stored format is unchanged: the action is a string column and the details JSON (ADR "Typed audit events").
import type { Row } from '../../genesys/gateway.js';

/** What a row change belongs to, beyond its batch (RowChange.details): an undo, a restore, a rename. */
export interface RowChangeLink {
  /** The seq of the change an undo reverts. */
  reverts?: number;
  /** An administrator's undo over a later change of the row. */
  forced?: boolean;
  /** The seq of the change whose result a restore to a point writes back. */
  restoresTo?: number;
  /** The backup a restore writes from. */
  restoredFrom?: string;
  /** A rename (a create of the new key and a delete of the old): the keys. */
  from?: string;
  to?: string;
  /** The change request whose apply or revert writes the row. */
  request?: string;
  /** The playbook a run of which writes the row. */
  playbook?: string;
}

/**
 * A change request's entries: which request, at which version, and counts. Never row values: the rows' values
 * stay in the request (shown per viewer, hidden columns removed), so no entry can leak a hidden one.
 */
export interface RequestEventDetails {
  request: string;
  title: string;
  version: number;
  /** Rows in the request, and the tables they are in (by name). */
  rows: number;
  tables: string[];
  /** Approvals for this version so far, and how many it needs. */
  approvals?: number;
  approvalsNeeded?: number;
  /** The schedule (ISO, UTC) when it has one. */
  applyAt?: string | null;
  revertAt?: string | null;
  /** held / applied / reverted: the step, why it waits, and how the rows fared. */
  phase?: 'apply' | 'revert';
  heldReason?: string;
  applied?: number;
  reverted?: number;
  unchanged?: number;
  held?: number;
  failed?: number;
  /** The playbook the request runs or changes. */
  playbook?: string;
  /** An approver changed values before approving (R1: their approval counts for the new version). */
  edited?: number;
}

/** An apply or revert job's entry about its request (request-apply.ts). */
type RequestStepDetails<T> = { requestId: string; status: string } & T;

/** The details of a row change's entries, by stage (the entry's `outcome`). */
export type RowChangeDetails =
  /** intent: the columns it writes, and `via: 'csv-import'` when it goes in an import job */
  | ({ changed: string[]; via?: 'csv-import' } & RowChangeLink)
  /** failed / unknown: why; `handedBack` when a refused import passed the row on to a single write */
  | { message: string; handedBack?: true }
  /** reconciled-*: the intent settled, and the row as Genesys held it then */
  | { reconciledSeq: number; current: Row | null };

/** An org's entries: the org itself is in before/after (without its secret). */
interface OrgDetails {
  sandbox?: true;
  secretChanged?: boolean;
}

/** A playbook's entries name it. */
interface PlaybookDetails {
  playbookId: string;
  name: string;
}

/** An import's entries (src/features/imports/): which draft, file and table, and counts, never row values. */
interface ImportDetails {
  draftId: string;
  table: string;
  file: string;
  mode: 'add' | 'upsert' | 'exact';
  adds: number;
  updates: number;
  deletes: number;
}

/** Each action and its details (`undefined`: the entry has none). */
interface AuditEventDetails {
  'auth.sign_in': undefined;
  'auth.sign_in_failed': { email: string; reason: 'unknown_account' | 'wrong_password' | 'account_disabled' };
  'session.ended': undefined;
  'session.ended_all': { count: number };

  'user.created': undefined;
  'user.updated': undefined;
  'user.disabled': undefined;
  'user.enabled': undefined;
  'user.deleted': undefined;
  'user.password_reset': undefined;
  'user.password_changed': undefined;
  'permission.saved': { table: string; copiedFromUserId?: number };
  /** A table's own change policy set, or removed (`inherits`: the table follows its org's policy again). */
  'policy.saved': { table: string; inherits: boolean };
  /** A column's format set or changed (before/after: the format specs; src/features/formats/). */
  'format.set': { table: string; column: string };
  /** A column's format removed (before: the format it had). */
  'format.cleared': { table: string; column: string };

  'org.created': OrgDetails | undefined;
  'org.updated': OrgDetails | undefined;
  'org.archived': OrgDetails | undefined;
  'org.unarchived': OrgDetails | undefined;
  'org.deleted': OrgDetails | undefined;
  'org.sandbox_reset': OrgDetails | undefined;
  'org.readiness_checked': {
    writeChecks: boolean;
    token: string;
    divisions: Record<string, Record<string, string>>;
    leftovers: unknown;
  };

  'table.created': { name: string; columns: string[] };
  'table.exported': { format: 'csv' | 'json'; csv?: string; rows: number; columns: string[]; query: string };
  'row.created': RowChangeDetails | undefined;
  'row.updated': RowChangeDetails | undefined;
  'row.deleted': RowChangeDetails | undefined;
  'row.renamed': { from: string; to: string };

  'backup.created': { backupId: string; kind: string; tables: string[]; rows: number; partial: boolean };
  'backup.uploaded': {
    backupId: string;
    tables: string[];
    rows: number;
    madeAt: string;
    madeBy: string;
    origin: string;
  };
  'backup.downloaded': { backupId: string; size: number };
  'backup.deleted': {
    backupId: string;
    kind: string;
    orgName: string;
    madeBy: string;
    tables: string | null;
    size: number;
  };
  'backup.pruned': { backupId: string; createdAt: string; keep: number };
  'backup.failed': { kind: 'scheduled'; reason: string };
  'backup.restored': {
    backupId: string;
    exact: boolean;
    changes: number;
    failures: number;
    preRestoreBackupId: string | null;
    notes?: string[];
  };

  'job.cancelled': { jobId: string; kind: string; done: number; total: number };

  /** A file read and checked against a table (nothing written): what applying it would do, and its problems. */
  'import.dry_run': ImportDetails & { unchanged: number; problems: number };
  /**
   * An import job ended: rows written and failed; `rolledBack` when all-or-nothing put the table back (then
   * `reason` says why), and the automatic backup made before it.
   */
  'import.applied': ImportDetails & {
    jobId: string;
    written: number;
    failed: number;
    allOrNothing: boolean;
    rolledBack: boolean;
    reason?: string;
    backupId: string | null;
  };
  /** The table's policy needs approval: the import became a change request instead. */
  'import.requested': ImportDetails & { requestId: string };

  /** Playbooks (issue 15): the playbook's id and name in every entry; content in before/after. */
  'playbook.created': PlaybookDetails;
  'playbook.updated': PlaybookDetails;
  'playbook.archived': PlaybookDetails;
  /** New content approved (requestId: the change request that approved it; null under a direct policy). */
  'playbook.published': PlaybookDetails & { version: number; requestId: string | null };
  /** Someone ran it: the change request that writes its rows, and when that reverts. */
  'playbook.run': PlaybookDetails & { version: number; requestId: string; revertAt: string | null };
  'request.created': RequestEventDetails;
  'request.submitted': RequestEventDetails;
  /** The author changed rows or the schedule (a new version: earlier approvals no longer count, R1). */
  'request.edited': RequestEventDetails;
  'request.commented': RequestEventDetails;
  'request.approved': RequestEventDetails;
  'request.rejected': RequestEventDetails;
  'request.changes_asked': RequestEventDetails;
  'request.withdrawn': RequestEventDetails;
  // The apply jobs (request-apply.ts) record these with their own step details beside the request's.
  'request.held': RequestEventDetails | RequestStepDetails<{ phase: 'apply' | 'revert'; reason: string }>;
  'request.applied': RequestEventDetails | RequestStepDetails<{ rows: number; written: number; reason?: string }>;
  'request.reverted': RequestEventDetails | RequestStepDetails<{ rows: number; written: number }>;

  'audit.exported': { format: 'csv' | 'json'; entries: number };
  'audit.pruned': {
    throughSeq: number;
    throughHash: string;
    deleted: number;
    olderThan: string;
    retentionDays: number;
  };
}

export type AuditAction = keyof AuditEventDetails;
export type DetailsOf<A extends AuditAction> = AuditEventDetails[A];

/** One entry's action and details: required when its action has details, optional when they may be left out. */
export type AuditEvent = {
  [A in AuditAction]: undefined extends DetailsOf<A>
    ? { action: A; details?: DetailsOf<A> }
    : { action: A; details: DetailsOf<A> };
}[AuditAction];

/** Every action, once (a name missing here, or one that is not an action, is a type error). */
const EVERY_ACTION: Record<AuditAction, true> = {
  'auth.sign_in': true,
  'auth.sign_in_failed': true,
  'session.ended': true,
  'session.ended_all': true,
  'user.created': true,
  'user.updated': true,
  'user.disabled': true,
  'user.enabled': true,
  'user.deleted': true,
  'user.password_reset': true,
  'user.password_changed': true,
  'permission.saved': true,
  'policy.saved': true,
  'format.set': true,
  'format.cleared': true,
  'org.created': true,
  'org.updated': true,
  'org.archived': true,
  'org.unarchived': true,
  'org.deleted': true,
  'org.sandbox_reset': true,
  'org.readiness_checked': true,
  'table.created': true,
  'table.exported': true,
  'row.created': true,
  'row.updated': true,
  'row.deleted': true,
  'row.renamed': true,
  'backup.created': true,
  'backup.uploaded': true,
  'backup.downloaded': true,
  'backup.deleted': true,
  'backup.pruned': true,
  'backup.failed': true,
  'backup.restored': true,
  'job.cancelled': true,
  'import.dry_run': true,
  'import.applied': true,
  'import.requested': true,
  'playbook.created': true,
  'playbook.updated': true,
  'playbook.archived': true,
  'playbook.published': true,
  'playbook.run': true,
  'request.created': true,
  'request.submitted': true,
  'request.edited': true,
  'request.commented': true,
  'request.approved': true,
  'request.rejected': true,
  'request.changes_asked': true,
  'request.withdrawn': true,
  'request.held': true,
  'request.applied': true,
  'request.reverted': true,
  'audit.exported': true,
  'audit.pruned': true,
};
export const AUDIT_ACTIONS = Object.keys(EVERY_ACTION) as readonly AuditAction[];

/** The actions of a Genesys row write: recorded write-ahead (intent, then outcome), undoable, reconciled. */
export const ROW_CHANGE_ACTIONS = [
  'row.created',
  'row.updated',
  'row.deleted',
] as const satisfies readonly AuditAction[];
export type RowChangeAction = (typeof ROW_CHANGE_ACTIONS)[number];
/** The org's own changes (its readiness check has details of its own). */
export type OrgAction = Exclude<Extract<AuditAction, `org.${string}`>, 'org.readiness_checked'>;

export const isRowChangeAction = (action: string): action is RowChangeAction =>
  (ROW_CHANGE_ACTIONS as readonly string[]).includes(action);

/** A stored entry's action read back as a row change's (only row changes have intents and change ids). */
export function rowChangeAction(action: string): RowChangeAction {
  if (!isRowChangeAction(action)) throw new Error(`Audit action ${action} is not a row change.`);
  return action;
}

/**
 * What each action is called on the pages people read ("Row updated", not `row.updated`). A Record over
 * every action: an action added without a label is a type error here (and tests/unit/audit-labels.test.ts
 * checks that none is left empty or repeated).
 */
export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  'auth.sign_in': 'Signed in',
  'auth.sign_in_failed': 'Sign-in failed',
  'session.ended': 'Session ended',
  'session.ended_all': 'All other sessions ended',
  'user.created': 'User created',
  'user.updated': 'User updated',
  'user.disabled': 'User disabled',
  'user.enabled': 'User enabled',
  'user.deleted': 'User deleted',
  'user.password_reset': 'Password reset',
  'user.password_changed': 'Password changed',
  'permission.saved': 'Rights saved',
  'policy.saved': 'Change policy saved',
  'org.created': 'Org added',
  'org.updated': 'Org updated',
  'org.archived': 'Org archived',
  'org.unarchived': 'Org brought back',
  'org.deleted': 'Org deleted',
  'org.sandbox_reset': 'Sandbox reset',
  'org.readiness_checked': 'Org readiness checked',
  'table.created': 'Table created',
  'table.exported': 'Table exported',
  'row.created': 'Row added',
  'row.updated': 'Row updated',
  'row.deleted': 'Row deleted',
  'row.renamed': 'Row key renamed',
  'backup.created': 'Backup made',
  'backup.uploaded': 'Backup uploaded',
  'backup.downloaded': 'Backup downloaded',
  'backup.deleted': 'Backup deleted',
  'backup.pruned': 'Old backup removed',
  'backup.failed': 'Scheduled backup failed',
  'backup.restored': 'Backup restored',
  'job.cancelled': 'Job cancelled',
  'playbook.created': 'Playbook created',
  'playbook.updated': 'Playbook updated',
  'playbook.archived': 'Playbook archived',
  'playbook.published': 'Playbook published',
  'playbook.run': 'Playbook run',
  'request.created': 'Change request created',
  'request.submitted': 'Change request submitted',
  'request.edited': 'Change request edited',
  'request.commented': 'Change request commented on',
  'request.approved': 'Change request approved',
  'request.rejected': 'Change request rejected',
  'request.changes_asked': 'Changes asked for a request',
  'request.withdrawn': 'Change request withdrawn',
  'request.held': 'Change request held',
  'request.applied': 'Change request applied',
  'request.reverted': 'Change request reverted',
  'audit.exported': 'Audit log exported',
  'audit.pruned': 'Old audit entries removed',
  'format.set': 'Column format set',
  'format.cleared': 'Column format removed',
  'import.dry_run': 'Import checked (dry run)',
  'import.applied': 'Import applied',
  'import.requested': 'Import saved as a change request',
};

/** A stored action's label; an action this version does not know (an older log) reads as it is stored. */
export const actionLabel = (action: string): string =>
  Object.hasOwn(AUDIT_ACTION_LABELS, action) ? AUDIT_ACTION_LABELS[action as AuditAction] : action;

/** How a row change's write ended, as people read it (the stage stored in `outcome`). */
export const OUTCOME_LABELS: Record<string, string> = {
  intent: 'sent',
  pending: 'on its way',
  applied: 'applied',
  failed: 'failed',
  unknown: 'outcome unknown',
  'reconciled-applied': 'applied (checked later)',
  'reconciled-not-applied': 'not applied (checked later)',
  'reconciled-conflict': 'not applied: the row had changed (checked later)',
};
