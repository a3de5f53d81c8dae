import { describe, expect, it } from 'vitest';
import { csvKindOf, exactCsv, looksLikeFormula, spreadsheetCsv } from '../../src/lib/downloads.js';

describe('CSV for spreadsheets', () => {
  it('escapes formula-looking cells, quotes per RFC 4180 and starts with a UTF-8 BOM', () => {
    const csv = spreadsheetCsv(
      ['key', 'value'],
      [
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
        ['l', -5],
      ],
    );
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
    expect(csv).toContain('l,-5'); // a number is data, not a formula
  });

  it('escapes = + - @ after leading whitespace, line breaks or NUL, and cells starting with tab, CR, LF or NUL', () => {
    const risky = [
      ' =1+1',
      '   +1',
      '\t-1',
      '\r@x',
      '\n=1',
      '\r\n=1',
      '\0\0=1',
      ' \t\r\n=cmd',
      '\u00a0=1',
      '\uFF1D1+1',
      ' \uFF20x',
      '\tplain',
      '\rplain',
      '\nplain',
      '\0plain',
    ];
    for (const value of risky) {
      expect(looksLikeFormula(value), JSON.stringify(value)).toBe(true);
      const cell = spreadsheetCsv(['v'], [[value]])
        .slice(1)
        .split('\r\n')
        .slice(1)
        .join('\r\n');
      expect(cell.replace(/^"/, '').startsWith(`'${value}`), JSON.stringify(cell)).toBe(true);
    }
    for (const value of ['plain', 'a=b', 'x+1', 'mail@example.com', ' leading space', '1-2', '']) {
      expect(looksLikeFormula(value), JSON.stringify(value)).toBe(false);
      expect(spreadsheetCsv(['v'], [[value]])).not.toContain(`'${value}`);
    }
  });

  it('guards the header too (column names come from Genesys)', () => {
    expect(spreadsheetCsv(['key', '=Total'], [])).toContain("key,'=Total");
  });
});

describe('exact CSV', () => {
  it('keeps every value as it is, RFC 4180 quoting, no BOM', () => {
    const values = [
      '+44 20 7946 1000',
      '=1+1',
      '-1',
      '@home',
      ' =x',
      '\tindent',
      'a "quote", comma',
      'two\nlines',
      '\0nul',
    ];
    const csv = exactCsv(['key', 'n', 'b'], [...values.map((v, i) => [v, i, i % 2 === 0]), ['empty', '', false]]);
    expect(csv.charCodeAt(0)).not.toBe(0xfeff);
    expect(csv).not.toContain("'");
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('key,n,b');
    expect(lines[1]).toBe('+44 20 7946 1000,0,true');
    expect(lines[2]).toBe('=1+1,1,false');
    expect(csv).toContain('"a ""quote"", comma",6,true');
    expect(csv).toContain('"two\nlines",7,false');
    expect(csv).toContain('\0nul,8,true');
    expect(csv).toContain('empty,,false');
  });
});

describe('csvKindOf', () => {
  it('reads the export kind; absent means for spreadsheets; anything else is refused by name', () => {
    expect(csvKindOf(undefined)).toBe('spreadsheet');
    expect(csvKindOf('spreadsheet')).toBe('spreadsheet');
    expect(csvKindOf('exact')).toBe('exact');
    for (const bad of ['EXACT', '', ['exact'], 'raw'])
      expect(() => csvKindOf(bad)).toThrow(/for=spreadsheet .* for=exact/);
  });
});
