import { describe, expect, it } from 'vitest';
import { escapeHtml, gridRowsHtml } from '../../src/features/tables/grid-html.js';

const access = { canView: true, canEdit: true, canAdd: false, canDelete: true, readOnlyReason: null, columns: { key: 'read', name: 'write', on: 'read' } } as const;

describe('grid rows HTML', () => {
  it('escapes every value, key, reference and column name', () => {
    const evil = `<script>alert(1)</script>"'><img src=x onerror=alert(1)>`;
    const html = gridRowsHtml([{ ref: evil, values: { key: evil, name: evil, on: true } }], {
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

  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&#34;&#39;');
  });
});
