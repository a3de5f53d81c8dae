// Column formats of a table: read by the change engine for every apply (never cached across requests, so a
// format set a moment ago governs the next write), set by administrators (audited `format.set` /
// `format.cleared` with the format before and after), and checked against the rows a table holds now: rows
// breaking a format are listed for people to fix, never changed by the app.
import type { Row } from '../../genesys/gateway.js';
import type { Transact } from '../../db/transaction.js';
import type { Actor } from '../../lib/actor.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { AuditService } from '../audit/audit-service.js';
import type { OrgView } from '../orgs/org-service.js';
import { mayManageColumnFormats } from '../permissions/policy.js';
import type { TableService } from '../tables/table-service.js';
import { checkValue } from './format-enforcement.js';
import type { FormatRepository } from './format-repository.js';
import { checkedSpec, formatMisfit, optionsOf, storedSpec } from './format-spec.js';
import type { ColumnFormatSpec, TableFormats } from './format-types.js';

/** Rows listed at most by `violations` (the count says how many there are in all). */
export const MAX_VIOLATIONS_LISTED = 200;

export interface FormatViolation {
  /** The row as the table pages name it (its key, or an opaque handle where the key is hidden). */
  ref: string;
  /** Its key, when the reader may see keys. */
  key: string | null;
  value: string;
  message: string;
}

export interface ColumnViolations {
  column: string;
  spec: ColumnFormatSpec | null;
  rows: FormatViolation[];
  /** All rows breaking the format (more than listed when over MAX_VIOLATIONS_LISTED). */
  total: number;
  checked: number;
}

const sameSpec = (a: ColumnFormatSpec | null, b: ColumnFormatSpec | null) => JSON.stringify(a) === JSON.stringify(b);

export function createFormatService(deps: {
  repo: FormatRepository;
  audit: AuditService;
  transact: Transact;
  tables: Pick<TableService, 'open' | 'rows'>;
}) {
  const { repo, audit, transact, tables } = deps;

  async function forTable(orgId: string, tableId: string): Promise<TableFormats> {
    const out = new Map<string, ColumnFormatSpec>();
    for (const f of await repo.forTable(orgId, tableId)) {
      const spec = storedSpec(f.kind, f.options);
      if (spec) out.set(f.column, spec);
    }
    return out;
  }

  return {
    forTable,

    /**
     * Sets `column`'s format (null removes it). Administrators only; the column must exist in the live table and
     * the format fit its Genesys type (formatMisfit). A save that changes nothing records nothing.
     */
    async save(
      actor: Actor,
      org: OrgView,
      tableId: string,
      column: string,
      spec: ColumnFormatSpec | null,
    ): Promise<ColumnFormatSpec | null> {
      if (!mayManageColumnFormats(actor)) throw new ForbiddenError('Only administrators may set column formats.');
      const { table } = await tables.open(actor, org, tableId);
      const prop = Object.hasOwn(table.schema.properties, column) ? table.schema.properties[column] : undefined;
      if (!prop) throw new NotFoundError(`“${column}” is not a column of ${table.name}.`);
      const label = prop.title || column;
      const next = spec && checkedSpec(spec);
      const misfit = next && formatMisfit(next, prop.type, label);
      if (misfit) throw new ValidationError('The format was not saved.', { kind: misfit });
      await transact(async (tx) => {
        const stored = await repo.find(org.id, tableId, column, tx);
        const before = stored ? storedSpec(stored.kind, stored.options) : null;
        if (sameSpec(before, next) && (stored !== null) === (next !== null)) return;
        if (next)
          await repo.save(
            { orgId: org.id, tableId, column },
            { kind: next.kind, options: JSON.stringify(optionsOf(next)), updatedBy: actor.userId },
            tx,
          );
        else await repo.remove(org.id, tableId, column, tx);
        await audit.record(
          {
            action: next ? 'format.set' : 'format.cleared',
            orgId: org.id,
            tableId,
            before,
            after: next,
            details: { table: table.name, column },
          },
          actor,
          tx,
        );
      });
      return next;
    },

    /**
     * The rows of the table now (read through the row cache) whose value in `column` breaks its format: listed,
     * never changed. Anyone who may see the column may ask; a column hidden from the actor is answered like
     * one that does not exist, and rows are named as the table pages name them (hidden keys as handles).
     */
    async violations(actor: Actor, org: OrgView, tableId: string, column: string): Promise<ColumnViolations> {
      const data = await tables.rows(actor, org, tableId, { refresh: true });
      if (!data.columns.includes(column)) throw new NotFoundError(`“${column}” is not a column of ${data.table.name}.`);
      const formats = await forTable(org.id, tableId);
      const rules = { formats, schema: data.table.schema, visible: data.columns };
      const rows: FormatViolation[] = [];
      let total = 0;
      const keysShown = data.columns.includes('key');
      for (const row of data.rows as Row[]) {
        if (!Object.hasOwn(row, column)) continue;
        const checked = checkValue(rules, column, row[column]!);
        if (!checked || checked.ok) continue;
        total++;
        if (rows.length < MAX_VIOLATIONS_LISTED) {
          const shown = data.present(row);
          rows.push({
            ref: shown.ref,
            key: keysShown ? String(row.key) : null,
            value: String(row[column]),
            message: checked.message,
          });
        }
      }
      return { column, spec: formats.get(column) ?? null, rows, total, checked: data.rows.length };
    },
  };
}

export type FormatService = ReturnType<typeof createFormatService>;
