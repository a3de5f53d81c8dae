// Where a form sent from a table page returns: the same table with the query it was sent from. Forms carry
// that query in a `back` field; only the table page's own parameters are kept and the path is always the
// table's, so the field cannot send anyone elsewhere.
import { tablePath } from '../tables/table-page.js';

/** URL parameters a table page understands; `back` keeps only these (the path is always the table's). */
const PAGE_PARAMS = /^(q|[cov][0-4]|sort|dir|pageSize|page|hide|order|view)$/;

/** The table page to return to, with the query the form was sent from (only the page's own parameters). */
export function backTo(tableId: string, back: unknown): string {
  const kept = new URLSearchParams();
  if (typeof back === 'string')
    for (const [k, v] of new URLSearchParams(back.replace(/^\?/, ''))) if (PAGE_PARAMS.test(k)) kept.append(k, v);
  const qs = kept.toString();
  return tablePath(tableId) + (qs ? `?${qs}` : '');
}
