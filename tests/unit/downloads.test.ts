import { describe, expect, it } from 'vitest';
import { spreadsheetCsv } from '../../src/lib/downloads.js';

describe('spreadsheet-safe CSV', () => {
  it('escapes formula-looking cells, quotes per RFC 4180 and starts with a UTF-8 BOM', () => {
    const csv = spreadsheetCsv(['key', 'value'], [
      ['a', '=1+1'],
      ['b', '+1'],
      ['c', '-1'],
      ['d', '@SUM(A1)'],
      ['e', '\t=1'],
      ['f', '\r=1'],
      ['g', '\0=1'],
      ['h', 'say "hi", ok'],
      ['i', 'line1\nline2'],
      ['j', true],
      ['k', 42],
    ]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe('key,value');
    expect(lines.slice(1, 5)).toEqual(["a,'=1+1", "b,'+1", "c,'-1", "d,'@SUM(A1)"]);
    expect(lines[5]).toBe("e,'\t=1");
    expect(csv).toContain(`f,"'\r=1"`);
    expect(csv).toContain("g,'\0=1");
    expect(csv).toContain('h,"say ""hi"", ok"');
    expect(csv).toContain('i,"line1\nline2"');
    expect(csv).toContain('j,true');
    expect(csv).toContain('k,42');
  });
});
