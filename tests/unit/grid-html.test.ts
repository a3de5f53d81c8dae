import { describe, expect, it } from 'vitest';
import { cellText, escapeHtml, gridRowsHtml } from '../../src/features/tables/grid-html.js';

const access = {
  canView: true,
  canEdit: true,
  canAdd: false,
  canDelete: true,
  canApprove: false,
  canRunPlaybooks: false,
  readOnlyReason: null,
  columns: { key: 'read', name: 'write', on: 'read' },
} as const;

describe('grid rows HTML', () => {
  it('escapes every value, key, reference and column name', () => {
    const evil = `<script>alert(1)</script>"'><img src=x onerror=alert(1)>`;
    const html = gridRowsHtml([{ ref: evil, values: { key: evil, name: evil, on: true }, fixed: false }], {
      columns: ['key', 'name', 'on'],
      properties: { key: { type: 'string' }, name: { type: 'string' }, on: { type: 'boolean' } },
      access: { ...access, columns: { ...access.columns } },
      rowUrl: (ref) => `/tables/t/rows/${encodeURIComponent(ref)}`,
    });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/"'>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('>Yes</td>');
    expect(html).toContain('data-value="true"');
    expect(html).toContain('aria-label="Select &lt;script&gt;');
  });

  it('offers no Delete for a row keyed “..” (Genesys cannot address it) and shows it as View', () => {
    const html = gridRowsHtml(
      [
        { ref: '~Li4', values: { key: '..', name: 'x', on: false }, fixed: true },
        { ref: 'a', values: { key: 'a', name: 'y', on: false }, fixed: false },
      ],
      {
        columns: ['key', 'name', 'on'],
        properties: { key: { type: 'string' }, name: { type: 'string' }, on: { type: 'boolean' } },
        access: { ...access, columns: { ...access.columns } },
        rowUrl: (ref) => `/tables/t/rows/${encodeURIComponent(ref)}`,
      },
    );
    expect(html).not.toContain('~Li4/delete');
    expect(html).toContain('href="/tables/t/rows/~Li4">View</a>');
    expect(html).toContain('href="/tables/t/rows/a/delete"');
  });

  it('marks blanks at either end of a value, keeps a long value whole in the title and ticks kept selections', () => {
    expect(cellText(' lead')).toBe('<span class="edge-blank" title="1 blank character(s) at the start"> </span>lead');
    expect(cellText('trail  ')).toBe('trail<span class="edge-blank" title="2 blank character(s) at the end">  </span>');
    expect(cellText('two  spaces')).toBe('two  spaces');
    expect(cellText('<b> ')).toBe('&lt;b&gt;<span class="edge-blank" title="1 blank character(s) at the end"> </span>');
    const long = 'k'.repeat(256);
    const html = gridRowsHtml([{ ref: long, values: { key: long, name: 'x', on: false }, fixed: false }], {
      columns: ['key', 'name', 'on'],
      properties: { key: { type: 'string' }, name: { type: 'string' }, on: { type: 'boolean' } },
      access: { ...access, columns: { ...access.columns } },
      rowUrl: (ref) => `/tables/t/rows/${ref}`,
      selected: new Set([long]),
    });
    expect(html).toContain(`<td class="type-string long" data-column="key" data-value="${long}" title="${long}">`);
    expect(html).toContain('<td class="type-string" data-column="name" data-value="x">x</td>');
    expect(html).toMatch(/name="sel" value="k+"[^>]*checked>/);
  });

  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&#34;&#39;');
  });
});
