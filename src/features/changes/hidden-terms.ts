// A Genesys refusal of a row write may quote a column's name or a value ("Field [X] is longer than 5
// characters", "Value [v] is not valid for field [X]"). Rows are written whole, hidden columns kept as they
// are, so Genesys can refuse over a column the person never sent and may not see: what they are told (form
// message, bulk or import report) has those columns' names and values replaced. The audit log keeps the
// message whole; its reader view applies the same rule (audit-visibility.ts).
import type { Row } from '../../genesys/gateway.js';
import type { UserTable } from '../tables/table-service.js';

/** Values shorter than this are not replaced: a "1" or "on" would garble the message and says little. */
const MIN_HIDDEN_VALUE_LENGTH = 3;

/** `message` with the names and (in the written rows) values of the columns hidden from the writer replaced. */
export function withoutHiddenTerms(
  message: string,
  t: Pick<UserTable, 'columns'> & { table: { schema: { properties: Record<string, unknown> } } },
  rows: (Row | null)[],
): string {
  const visible = new Set(t.columns);
  const terms = new Set<string>();
  for (const column of Object.keys(t.table.schema.properties)) {
    if (visible.has(column)) continue;
    terms.add(column);
    for (const row of rows) {
      const value = row && Object.hasOwn(row, column) ? row[column] : undefined;
      if (value !== undefined && value !== null && String(value).length >= MIN_HIDDEN_VALUE_LENGTH)
        terms.add(String(value));
    }
  }
  let out = message;
  for (const term of [...terms].sort((a, b) => b.length - a.length)) out = out.split(term).join('[hidden]');
  return out;
}

type Writer = Parameters<typeof withoutHiddenTerms>[1];

/** The same error, its message told without hidden terms (its class, status and ids kept for the caller). */
export function hidingTerms<E extends Error>(err: E, t: Writer, rows: (Row | null)[]): E {
  err.message = withoutHiddenTerms(err.message, t, rows);
  return err;
}
