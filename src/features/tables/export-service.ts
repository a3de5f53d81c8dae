// A table's rows as a file: CSV for spreadsheets (formula-safe), exact CSV (for re-import and tools) or JSON,
// of the rows the user's search and filters match. Rights come from the table service, as for the table page:
// the view right is checked there and rows leave it only through `present` (visible columns only), so a
// hidden column is never in a file. The export is audited here, before the file is handed out, so no route
// can hand out a file without its audit entry.
import type { Row } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { CSV_KINDS, csvKindOf, type Download } from '../../lib/downloads.js';
import type { AuditService } from '../audit/audit-service.js';
import type { OrgView } from '../orgs/org-service.js';
import { applyRowQuery, parseRowQuery, rowQueryParams } from './row-query.js';
import type { TableService } from './table-service.js';

export type ExportFormat = 'csv' | 'json';

/**
 * The CSV cells of `rows` in `columns` order, '' where a row has no value. Own properties only: a column may be
 * called `constructor`, and `row.constructor` of a row without that value is Object's constructor function.
 */
export const csvCells = (columns: string[], rows: Row[]): unknown[][] =>
  rows.map((r) => columns.map((c) => (Object.hasOwn(r, c) ? r[c] : '')));

export function createTableExport(deps: {
  tables: Pick<TableService, 'rows'>;
  audit: Pick<AuditService, 'record'>;
  clock: Clock;
}) {
  const { tables } = deps;
  return {
    /** `request` is the export link's query: the table page's search, filters and sort, and `for` (CSV kind). */
    async export(
      actor: Actor,
      org: OrgView,
      tableId: string,
      format: ExportFormat,
      request: Record<string, unknown>,
    ): Promise<Download> {
      const csvKind = format === 'csv' ? csvKindOf(request.for) : undefined;
      const data = await tables.rows(actor, org, tableId);
      const query = parseRowQuery(request, data.columns);
      const rows = applyRowQuery(data.rows, query, data.columns, data.table.schema.properties).map(
        (r) => data.present(r).values,
      );
      await deps.audit.record(
        {
          action: 'table.exported',
          orgId: org.id,
          tableId: data.table.id,
          details: {
            format,
            ...(csvKind ? { csv: csvKind } : {}),
            rows: rows.length,
            columns: data.columns,
            query: rowQueryParams(query),
          },
        },
        actor,
      );
      const now = new Date(deps.clock.now());
      const stamp = now.toISOString().slice(0, 10);
      if (csvKind) {
        const cells = csvCells(data.columns, rows);
        return {
          name: `${data.table.name} ${stamp} ${CSV_KINDS[csvKind].fileTag}.csv`,
          contentType: 'text/csv; charset=utf-8',
          body: CSV_KINDS[csvKind].write(data.columns, cells),
        };
      }
      return {
        name: `${data.table.name} ${stamp}.json`,
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify(
          { table: data.table.name, exportedAt: now.toISOString(), columns: data.columns, rows },
          null,
          2,
        ),
      };
    },
  };
}

export type TableExport = ReturnType<typeof createTableExport>;
