// What became of Genesys writes, read from the audit log when asked (never a copy kept in memory): a write's
// outcome can change after the fact, when the reconciler settles a write whose answer was lost.
import type { AuditReaderRepository } from './audit-reader-repository.js';

export type ChangeState =
  /** Intent recorded, no outcome yet, or the outcome was lost ('unknown'): the reconciler will settle it. */
  | 'unknown'
  | 'applied'
  | 'failed'
  /** Settled by the reconciler from Genesys' row: */
  | 'reconciled-applied'
  | 'reconciled-not-applied'
  | 'reconciled-conflict';

export interface ChangeOutcome {
  state: ChangeState;
  /** Genesys' or the app's message for a failed write. */
  message?: string;
  /** Closed because its CSV import upload was refused: the row is then written on its own, under a derived id. */
  handedBack?: boolean;
  /** Only the intent is recorded: while its job runs, the write is still on its way (not an answer lost). */
  pending?: boolean;
}

export function createChangeOutcomes(reader: AuditReaderRepository) {
  return {
    /** The latest outcome of each recorded change; a change id with no intent in the log is left out. */
    async of(changeIds: string[]): Promise<Map<string, ChangeOutcome>> {
      const out = new Map<string, ChangeOutcome>();
      for (const e of await reader.stagesOf(changeIds)) {
        if (!e.changeId || !e.outcome) continue;
        if (e.outcome === 'intent') {
          if (!out.has(e.changeId)) out.set(e.changeId, { state: 'unknown', pending: true });
          continue;
        }
        const details =
          e.outcome === 'failed' && e.details
            ? (JSON.parse(e.details) as { message?: string; handedBack?: boolean })
            : {};
        out.set(e.changeId, {
          state: e.outcome as ChangeState,
          ...(details.message ? { message: details.message } : {}),
          ...(details.handedBack ? { handedBack: true } : {}),
        });
      }
      return out;
    },
  };
}

export type ChangeOutcomes = ReturnType<typeof createChangeOutcomes>;
