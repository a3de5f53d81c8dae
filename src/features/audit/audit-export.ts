// The audit log as a file (CSV for spreadsheets, or JSON) with the reader's filters: every entry the reader may
// see, read through the audit query (which applies audit-visibility: hidden columns, hidden keys and others'
// addresses are left out), up to AUDIT_EXPORT_MAX. The export is itself audited here, before the file is
// handed out, so no route can hand out a file without its audit entry.
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { spreadsheetCsv, type Download } from '../../lib/downloads.js';
import type { AuditEntryView, AuditFilters, AuditQuery } from './audit-query.js';
import type { AuditService } from './audit-service.js';

/** Export cap: a filtered export beyond this asks the user to narrow the filter. */
export const AUDIT_EXPORT_MAX = 100_000;

const CSV_HEADER = [
  'seq',
  'at',
  'actor',
  'ip',
  'action',
  'outcome',
  'orgId',
  'tableId',
  'rowKey',
  'changed',
  'reason',
  'batchId',
  'before',
  'after',
];

const csvCells = (e: AuditEntryView) => [
  e.seq,
  e.at.toISOString(),
  e.actorName,
  e.ip ?? '',
  e.action,
  e.outcome ?? '',
  e.orgId ?? '',
  e.tableId ?? '',
  e.rowKey ?? '',
  e.changed.join(' '),
  e.reason ?? '',
  e.batchId ?? '',
  e.before ? JSON.stringify(e.before) : '',
  e.after ? JSON.stringify(e.after) : '',
];

export function createAuditExport(deps: {
  auditQuery: Pick<AuditQuery, 'list'>;
  audit: Pick<AuditService, 'record'>;
  clock: Clock;
}) {
  /** Every entry the reader may see that the filters match, newest first, page by page up to the cap. */
  async function entriesFor(actor: Actor, filters: AuditFilters): Promise<AuditEntryView[]> {
    const entries: AuditEntryView[] = [];
    let before = filters.before;
    for (;;) {
      const page = await deps.auditQuery.list(actor, { ...filters, before });
      entries.push(...page.entries);
      if (!page.nextBefore || entries.length >= AUDIT_EXPORT_MAX) return entries;
      before = page.nextBefore;
    }
  }

  return {
    async export(actor: Actor, filters: AuditFilters, format: 'csv' | 'json'): Promise<Download> {
      const entries = await entriesFor(actor, filters);
      await deps.audit.record({ action: 'audit.exported', details: { format, entries: entries.length } }, actor);
      const now = new Date(deps.clock.now());
      const name = `audit-log ${now.toISOString().slice(0, 10)}.${format}`;
      if (format === 'json')
        return {
          name,
          contentType: 'application/json; charset=utf-8',
          body: JSON.stringify(
            { exportedAt: now.toISOString(), truncated: entries.length >= AUDIT_EXPORT_MAX, entries },
            null,
            2,
          ),
        };
      return { name, contentType: 'text/csv; charset=utf-8', body: spreadsheetCsv(CSV_HEADER, entries.map(csvCells)) };
    },
  };
}

export type AuditExport = ReturnType<typeof createAuditExport>;
