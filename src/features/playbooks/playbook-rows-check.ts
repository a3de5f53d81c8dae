// A playbook's typed rows checked against each table's live schema, as the administrator who defines it sees
// the table: the table must exist, and every value goes through the row form's own parser (parseRowForm), so
// types, lengths, limits, unknown columns and the key rules for new keys are exactly a form's. A message
// names the row it is about (the content is one textarea).
import type { Actor } from '../../lib/actor.js';
import { ValidationError } from '../../lib/errors.js';
import type { OrgView } from '../orgs/org-service.js';
import { parseRowForm, VALUE_PREFIX } from '../tables/row-form.js';
import type { TableService } from '../tables/table-service.js';
import type { PlaybookRow, TypedRow } from './playbook-content.js';

export async function checkedRows(
  tables: Pick<TableService, 'listTables' | 'open'>,
  actor: Actor,
  org: OrgView,
  typed: TypedRow[],
): Promise<PlaybookRow[]> {
  const listed = await tables.listTables(actor, org);
  const fail = (row: TypedRow, message: string): never => {
    throw new ValidationError(`Row ${row.number}: ${message}`, { content: `Row ${row.number}: ${message}` });
  };
  const out: PlaybookRow[] = [];
  for (const row of typed) {
    const match = listed.find((t) => t.table.id === row.table) ?? listed.find((t) => t.table.name === row.table);
    if (!match) fail(row, `there is no table “${row.table}” in ${org.name}.`);
    const t = await tables.open(actor, org, match!.table.id);
    const body: Record<string, string> = {};
    const values = row.kind === 'create' ? { ...row.values, key: row.key } : row.values;
    for (const [column, value] of Object.entries(values)) body[`${VALUE_PREFIX}${column}`] = String(value);
    if (row.kind === 'update' && Object.hasOwn(row.values, 'key'))
      fail(row, 'an update cannot change the key (use a delete and a create).');
    let requested = null;
    if (row.kind !== 'delete') {
      try {
        requested = parseRowForm(body, t.table.schema, t.access, row.kind).values;
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        fail(row, Object.values(err.fieldErrors).join(' ') || err.message);
      }
    }
    out.push({ tableId: t.table.id, tableName: t.table.name, key: row.key, kind: row.kind, requested });
  }
  return out;
}
