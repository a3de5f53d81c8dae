// The grid's rows as HTML, built here rather than in EJS: the row loop is the hottest code of the busiest
// page (50+ rows x 20 columns per view), and EJS's `with`-scoped lookups made it most of the page's cost.
// Every value passes through escapeHtml; tests/unit/grid-html.test.ts checks that nothing gets through raw.
import type { FieldSchema } from '../../genesys/gateway.js';
import type { TableAccess } from '../permissions/access.js';
import type { RowRef } from './table-service.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function gridRowsHtml(rows: RowRef[], opts: { columns: string[]; properties: Record<string, FieldSchema>; access: TableAccess; rowUrl: (ref: string) => string }): string {
  const { columns, properties, access } = opts;
  const selectable = access.canEdit || access.canDelete;
  const cellClass = columns.map((c) => ` class="type-${escapeHtml(properties[c]?.type ?? 'string')}" data-column="${escapeHtml(c)}"`);
  const editLabel = access.canEdit ? 'Edit' : 'View';
  let html = '';
  for (const r of rows) {
    const url = escapeHtml(opts.rowUrl(r.ref));
    html += `<tr data-row-url="${url}">`;
    if (selectable) {
      const label = r.values.key !== undefined ? String(r.values.key) : 'row';
      html += `<td><input type="checkbox" name="sel" value="${escapeHtml(r.ref)}" form="bulk-form" aria-label="Select ${escapeHtml(label)}"></td>`;
    }
    for (let i = 0; i < columns.length; i++) {
      const v = r.values[columns[i]!];
      const text = v === undefined ? '' : typeof v === 'boolean' ? (v ? 'Yes' : 'No') : escapeHtml(v);
      html += `<td${cellClass[i]} data-value="${v === undefined ? '' : escapeHtml(v)}">${text}</td>`;
    }
    // A row keyed `.`/`..` cannot be changed or deleted (ADR 004): its page says why, no Delete leads to a refusal.
    html += `<td class="actions"><a class="button small" href="${url}">${r.fixed ? 'View' : editLabel}</a>`;
    if (access.canDelete && !r.fixed) html += ` <a class="button small danger" href="${url}/delete">Delete</a>`;
    html += '</td></tr>';
  }
  return html;
}
