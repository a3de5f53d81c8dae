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

/** Values longer than this are cut short by the grid's CSS; their cell's title holds them whole. */
const TITLE_FROM_LENGTH = 40;
/** A word this long would widen its column past the screen: its cell may break it anywhere. */
const LONG_WORD = /\S{30}/u;

/**
 * One value as cell text: escaped, yes/no for booleans, and blanks at either end of a text marked (the page
 * keeps spaces as they are, but a space at the end of a line cannot be seen; " lead" and "lead" differ).
 */
export function cellText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  const text = String(v);
  const m = /^(\s*)([\s\S]*?)(\s*)$/u.exec(text)!;
  const edge = (blanks: string, where: string) =>
    blanks
      ? `<span class="edge-blank" title="${blanks.length} blank character(s) at the ${where}">${escapeHtml(blanks)}</span>`
      : '';
  return edge(m[1]!, 'start') + escapeHtml(m[2]!) + (m[2] ? edge(m[3]!, 'end') : '');
}

export function gridRowsHtml(
  rows: RowRef[],
  opts: {
    columns: string[];
    properties: Record<string, FieldSchema>;
    access: TableAccess;
    rowUrl: (ref: string) => string;
    selected?: ReadonlySet<string>;
  },
): string {
  const { columns, properties, access } = opts;
  const selectable = access.canEdit || access.canDelete;
  const typeClass = columns.map((c) => `type-${escapeHtml(properties[c]?.type ?? 'string')}`);
  const columnAttr = columns.map((c) => ` data-column="${escapeHtml(c)}"`);
  const editLabel = access.canEdit ? 'Edit' : 'View';
  let html = '';
  for (const r of rows) {
    const url = escapeHtml(opts.rowUrl(r.ref));
    const label = r.values.key !== undefined ? String(r.values.key) : 'row';
    // The grid script (public/js/grid/) saves through data-row-url, pastes onto data-ref, names the row by label.
    html += `<tr data-row-url="${url}" data-ref="${escapeHtml(r.ref)}" data-label="${escapeHtml(label)}">`;
    if (selectable) {
      const checked = opts.selected?.has(r.ref) ? ' checked' : '';
      html += `<td><input type="checkbox" name="sel" value="${escapeHtml(r.ref)}" form="bulk-form" aria-label="Select ${escapeHtml(label)}"${checked}></td>`;
    }
    for (let i = 0; i < columns.length; i++) {
      const v = r.values[columns[i]!];
      const value = v === undefined ? '' : escapeHtml(v);
      const title = typeof v === 'string' && v.length > TITLE_FROM_LENGTH ? ` title="${value}"` : '';
      // A very long word (a 256-character key) may break anywhere; shorter ones (an e-mail address) stay whole.
      const long = typeof v === 'string' && LONG_WORD.test(v) ? ' long' : '';
      html += `<td class="${typeClass[i]}${long}"${columnAttr[i]} data-value="${value}"${title}>${cellText(v)}</td>`;
    }
    // A row keyed `.`/`..` cannot be changed or deleted (ADR 004): its page says why, no Delete leads to a refusal.
    html += `<td class="actions"><a class="button small" href="${url}">${r.fixed ? 'View' : editLabel}</a>`;
    if (access.canDelete && !r.fixed) html += ` <a class="button small danger" href="${url}/delete">Delete</a>`;
    html += '</td></tr>';
  }
  return html;
}
