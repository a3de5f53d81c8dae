// The one shape of a change to a Genesys row, whoever asks for it (a form, the grid, a bulk action, an undo,
// a restore, an import): what to write, and what the row must hold for the write to still make sense. A
// ChangeSet is many of them under one batch id, one actor, one reason, in one org; the change engine
// (change-engine.ts) is the only code that applies them.
import { createHash, randomUUID } from 'node:crypto';
import type { Row } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import type { RowChangeLink } from '../audit/audit-events.js';
import type { OrgView } from '../orgs/org-service.js';

interface ChangeBase {
  /**
   * The audit change id of this write. A ChangeSet applied again (a job resumed after a crash) must carry
   * the same ids: a change whose intent is already in the audit log is settled, never written again.
   */
  id: string;
  tableId: string;
  key: string;
  /** This change's own reason in the audit log (else the set's). */
  reason?: string | null;
  /** Extra audit details of this change (e.g. which change an undo reverts). */
  details?: RowChangeLink;
}

export type RowChange = ChangeBase &
  (
    | {
        kind: 'create';
        /** The whole row, key included. */
        write: Row;
        /**
         * A row with this key exists already: 'conflict' writes nothing, 'replace' overwrites it. Absent: the
         * create is sent without reading the row first (Genesys refuses a duplicate key).
         */
        ifExists?: 'conflict' | 'replace';
      }
    | {
        kind: 'update';
        /** The columns to write; laid over the row as it is now (Genesys replaces whole rows). */
        write: Row;
        /** The row must still hold these values (by meaning), else nothing is written. Absent: not checked. */
        expect?: Row;
        /**
         * The values a form was opened with: a column someone else changed since, that this change also
         * changes to something else, is a conflict; a column left as it was found is not written back.
         */
        baseline?: Row;
      }
    | {
        kind: 'delete';
        /** The row must still hold these values, else it is not deleted. Absent: not checked. */
        expect?: Row;
      }
  );

export interface ChangeSet {
  /** Who asks: their rights are checked for every change, and every audit entry names them. */
  actor: Actor;
  org: OrgView;
  /** Groups the changes in the audit log (undone as a unit); null for a single edit. */
  batchId: string | null;
  reason: string | null;
  changes: RowChange[];
  /** How the rights refusal names what is being done, e.g. "Undoing this change". */
  doing: string;
  /**
   * Who decided the change (absent: 'direct'). A direct change to a table under the approval policy is refused
   * unless an administrator makes it; 'request' is an approved change request being applied; 'playbook' a run
   * of a pre-approved playbook, which needs the run-playbooks right instead of the write rights.
   */
  via?: 'direct' | 'request' | 'playbook';
}

export interface ColumnConflict {
  column: string;
  original: Row[string] | undefined;
  theirs: Row[string] | undefined;
  yours: Row[string];
}

/** What became of one change. */
export type ChangeResult =
  /** Written; `row` is what Genesys holds now (null after a delete); `changeId` the id its audit entries have. */
  | { status: 'applied'; row: Row | null; changed: string[]; changeId: string }
  /** The row already held what the change writes: nothing was sent. */
  | { status: 'unchanged'; row: Row }
  /** The row no longer holds what the change expects: nothing was written. */
  | { status: 'conflict'; current: Row | null; conflicts: ColumnConflict[] }
  /** An update or delete of a row that does not exist (any more): nothing was written. */
  | { status: 'gone' }
  /** Sent and refused, or not sent; `unknown` when Genesys' answer was lost (the reconciler settles it). */
  | { status: 'failed' | 'unknown'; error: Error; changeId?: string }
  /** An earlier apply of this set recorded its intent: settled from the audit log, not written again. */
  | { status: 'recorded'; state: string; changeId: string; message?: string }
  /** The apply was asked to stop before this change. */
  | { status: 'stopped' };

export interface ApplyOptions {
  /** After each change's result (done of total; `index` is the change's place in the set). */
  onProgress?(done: number, total: number, last: { index: number; result: ChangeResult }): void | Promise<void>;
  /** Asked between writes: true stops the apply (the remaining changes are 'stopped'). */
  shouldStop?(): boolean;
  /** 'rows': one call per row; 'import': a CSV import job for every row one can carry; 'auto': fewer calls. */
  method?: 'auto' | 'rows' | 'import';
  /** A change that fails or conflicts stops the rest (a rename's delete only after its create). */
  stopAfterProblem?: boolean;
  /** Genesys out of reach: throw instead of failing every remaining change (a job stops and resumes later). */
  throwWhenUnavailable?: boolean;
}

export interface ApplyReport {
  /** In the order of the set's changes. */
  results: ChangeResult[];
  /** How the engine went about it where that differs from the plan (an import that fell back to rows). */
  notes: string[];
}

/** A change id for a write that has none yet (a form edit: nothing to resume). */
export const newChangeId = (): string => randomUUID();

/**
 * A change id that a stored plan derives again after a restart (the same batch, the same position): a
 * resumed apply then finds the changes it had already recorded.
 */
export function derivedChangeId(batchId: string, ...parts: (string | number)[]): string {
  const h = createHash('sha256')
    .update([batchId, ...parts].join('\u0000'))
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The columns a change sends (each needs the write right). */
export const columnsWritten = (c: RowChange): string[] => (c.kind === 'delete' ? [] : Object.keys(c.write));
