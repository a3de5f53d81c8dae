// The clipboard's tab-separated text, read by the browser (public/js/grid/tsv.js, which pastes) and the server
// (paste-request.ts, which parses what was pasted): the same cases for both copies, and a round trip of the
// browser's writer (copy) through both readers.
import { describe, expect, it } from 'vitest';
import { parseTsv } from '../../src/features/tables/paste-request.js';

interface BrowserTsv {
  parseTsv(text: string): string[][];
  toTsv(rows: string[][]): string;
}
const browserPath = '../../public/js/grid/tsv.js';
const browser = (await import(browserPath)) as BrowserTsv;

const CASES: [string, string, string[][]][] = [
  [
    'Excel: CRLF after every row',
    'a\tb\r\nc\td\r\n',
    [
      ['a', 'b'],
      ['c', 'd'],
    ],
  ],
  [
    'Google Sheets: LF, no final break',
    'a\tb\nc\td',
    [
      ['a', 'b'],
      ['c', 'd'],
    ],
  ],
  ['one cell', 'x', [['x']]],
  ['empty cells kept', '\tb\t\r\n', [['', 'b', '']]],
  ['a quoted cell with a tab, a break and a quote', '"a\tb\nc ""d"""\te\n', [['a\tb\nc "d"', 'e']]],
  ['a quote inside an unquoted cell is text', 'say "hi"\tx\n', [['say "hi"', 'x']]],
  ['nothing', '', []],
  ['one empty cell', '\r\n', [['']]],
];

describe('tab-separated clipboard text', () => {
  for (const [name, text, rows] of CASES) {
    it(`server: ${name}`, () => expect(parseTsv(text)).toEqual(rows));
    it(`browser: ${name}`, () => expect(browser.parseTsv(text)).toEqual(rows));
  }

  it('what the grid copies reads back the same on both sides', () => {
    const rows = [
      ['plain', 'with\ttab', 'with "quote"'],
      ['line\nbreak', '', 'ünïcødé'],
    ];
    const text = browser.toTsv(rows);
    expect(parseTsv(text)).toEqual(rows);
    expect(browser.parseTsv(text)).toEqual(rows);
  });
});
