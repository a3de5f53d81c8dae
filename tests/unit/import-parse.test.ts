import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { parseUpload } from '../../src/features/imports/import-parse.js';
import { ImportFileError, MAX_RECORDS_KEPT } from '../../src/features/imports/import-limits.js';
import { buildZip, sheetXml, workbookParts } from '../helpers/zip-builder.js';

const csv = (text: string | Buffer, name = 'file.csv') =>
  parseUpload({ name, bytes: Buffer.isBuffer(text) ? text : Buffer.from(text) });

async function refusal(p: Promise<unknown>): Promise<ImportFileError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImportFileError);
  expect((err as ImportFileError).status).toBe(400);
  return err as ImportFileError;
}

describe('CSV: delimiters and encodings found, not asked for', () => {
  it.each([
    [',', 'comma'],
    [';', 'semicolon'],
    ['\t', 'tab'],
    ['|', 'pipe'],
  ])('finds the %j delimiter (%s), quotes respected', async (d) => {
    const sheet = await csv(`key${d}Name${d}Note\nA${d}"x${d}y"${d}1\nB${d}b${d}"two\nlines"\n`);
    expect(sheet.delimiter).toBe(d);
    expect(sheet.header).toEqual(['key', 'Name', 'Note']);
    expect(sheet.records).toEqual([
      { line: 2, cells: ['A', `x${d}y`, '1'] },
      { line: 3, cells: ['B', 'b', 'two\nlines'] },
    ]);
    expect(sheet.problems).toEqual([]);
  });

  it('a semicolon file whose values hold commas is still semicolon-separated', async () => {
    const sheet = await csv('key;Price;Text\nA;1,5;a, b\nB;2,25;c\n');
    expect(sheet.delimiter).toBe(';');
    expect(sheet.records[0]!.cells).toEqual(['A', '1,5', 'a, b']);
  });

  it('reads UTF-8 with and without BOM, UTF-16 LE and BE with BOM, and Windows-1252', async () => {
    const text = 'key,Ville\nA,Genève\nB,Zürich €\n';
    const utf16be = Buffer.from(text, 'utf16le').swap16();
    const cases: [Buffer, string][] = [
      [Buffer.from(text), 'UTF-8'],
      [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'UTF-8 with BOM'],
      [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'UTF-16 LE'],
      [Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]), 'UTF-16 BE'],
      [Buffer.from(text.replace('è', '\xe8').replace('ü', '\xfc').replace('€', '\x80'), 'latin1'), 'Windows-1252'],
    ];
    for (const [bytes, encoding] of cases) {
      const sheet = await csv(bytes);
      expect(sheet.encoding).toBe(encoding);
      expect(sheet.header).toEqual(['key', 'Ville']); // the BOM is not part of the first header
      expect(sheet.records.map((r) => r.cells[1])).toEqual(['Genève', 'Zürich €']);
    }
  });

  it('reports a byte-order mark in the middle with its line, and ignores the mark itself', async () => {
    const sheet = await csv('key,v\nA,1\n\uFEFFkey,v\nB,2\n');
    expect(sheet.records.map((r) => r.cells[0])).toEqual(['A', 'key', 'B']);
    expect(sheet.problems).toEqual([
      expect.objectContaining({ kind: 'file', line: 3, message: expect.stringMatching(/byte-order mark/) }),
    ]);
  });

  it('reports rows with another number of values than the header, by line, and keeps them as they are', async () => {
    const sheet = await csv('key,a,b\nA,1,2\nB,1\nC,1,2,3\n"D\nD",1,2\nE,1\n');
    expect(sheet.problems.map((p) => [p.kind, p.line])).toEqual([
      ['file', 3],
      ['file', 4],
      ['file', 7],
    ]);
    expect(sheet.problems[0]!.message).toBe(
      'Line 3 has 2 values; the header has 3. A delimiter or a quote is probably missing or extra on this line.',
    );
    expect(sheet.records.find((r) => r.line === 5)!.cells[0]).toBe('D\nD'); // a record starts where it starts
  });

  it('reports cells a spreadsheet would run as formulas, never changing them; numbers and phone numbers are data', async () => {
    const sheet = await csv(
      'key,v\nA,=1+1\nB,-5\nC,+41 44 668 18 00\nD,@SUM(A1:A2)\nE,"-cmd|\' /C calc\'!A0"\nF,@home\nG,+A1*HYPERLINK(x)\n',
    );
    expect(sheet.problems.map((p) => p.line)).toEqual([2, 5, 6, 8]);
    expect(sheet.problems[0]).toMatchObject({ kind: 'file', column: 'v' });
    expect(sheet.problems[0]!.message).toMatch(/never calculated here/);
    expect(sheet.records[0]!.cells[1]).toBe('=1+1');
  });

  it('refuses an empty file, blank lines only, and a header without rows, each saying so', async () => {
    expect((await refusal(csv(''))).message).toBe('The file is empty: there is nothing to import.');
    expect((await refusal(csv('\r\n \n'))).message).toBe('The file is empty: there is nothing to import.');
    expect((await refusal(csv('key,Name\n'))).message).toBe(
      'The file has only a header line (key, Name) and no rows to import.',
    );
    expect((await refusal(csv('key,Name\n,\n\n'))).message).toMatch(/only a header line/);
  });

  it('refuses broken quoting with the line, duplicate headers, binary files and old .xls', async () => {
    expect((await refusal(csv('key,v\nA,1\nB,"open\n'))).message).toBe(
      'The file cannot be read as CSV at line 3: a quote (") is opened and never closed.',
    );
    expect((await refusal(csv('key,Name,name\nA,1,2\n'))).message).toMatch(/names “name” twice \(columns 2 and 3\)/);
    expect((await refusal(csv(Buffer.from([0x41, 0, 0x42, 0])))).message).toMatch(/NUL bytes/);
    const xls = Buffer.from('d0cf11e0a1b11ae1000000000000', 'hex');
    expect((await refusal(csv(xls, 'old.xls'))).message).toMatch(/old Excel file/);
    expect((await refusal(csv('key\nA\n', 'fake.xlsx'))).message).toMatch(/not an Excel workbook/);
  });

  it('keeps 5,001 rows of a longer file and reports how many it has (5,000 fit in a table)', async () => {
    const lines = Array.from({ length: 7000 }, (_, i) => `k${i},${i}`);
    const sheet = await csv(`key,n\n${lines.join('\n')}\n`);
    expect(sheet.records).toHaveLength(MAX_RECORDS_KEPT);
    expect(sheet.problems).toEqual([
      {
        kind: 'row_limit',
        message: 'The file has 7,000 rows; a data table holds at most 5,000. Split the file, or remove rows.',
      },
    ]);
    const exactly = await csv(`key,n\n${lines.slice(0, 5000).join('\n')}\n`);
    expect(exactly.problems).toEqual([]);
  });
});

describe('XLSX: first sheet or a chosen one, values as text', () => {
  async function workbook(): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    const hol = wb.addWorksheet('Holidays');
    wb.addWorksheet('Notes').addRows([
      ['key', 'note'],
      ['n1', 'hello'],
    ]);
    hol.addRow(['key', 'Date', 'Opens', 'Rate', 'Closed', 'Label', 'When']);
    hol.addRow([
      'xmas',
      new Date(Date.UTC(2026, 11, 25)),
      new Date(Date.UTC(1899, 11, 30, 8, 30)),
      0.1 + 0.2,
      true,
      { richText: [{ text: 'Christ' }, { text: 'mas' }] },
      new Date(Date.UTC(2026, 11, 24, 17, 45, 30)),
    ]);
    hol.addRow([]);
    hol.addRow(['ny', new Date(Date.UTC(2027, 0, 1)), '', 3, false, { formula: 'A4&"!"', result: 'ny!' }, 'x']);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  it('reads the first sheet: dates as YYYY-MM-DD (with time when there is one), times as HH:MM, numbers as shown', async () => {
    const sheet = await parseUpload({ name: 'h.xlsx', bytes: await workbook() });
    expect(sheet).toMatchObject({ format: 'xlsx', sheet: 'Holidays', sheets: ['Holidays', 'Notes'] });
    expect(sheet.header).toEqual(['key', 'Date', 'Opens', 'Rate', 'Closed', 'Label', 'When']);
    expect(sheet.records[0]).toEqual({
      line: 2,
      cells: ['xmas', '2026-12-25', '08:30', '0.3', 'true', 'Christmas', '2026-12-24 17:45:30'],
    });
    expect(sheet.records[1]!.line).toBe(4); // the empty row 3 is skipped, the numbers are the sheet's
  });

  it('reports a formula cell with its stored result and never takes the result silently', async () => {
    const sheet = await parseUpload({ name: 'h.xlsx', bytes: await workbook() });
    expect(sheet.problems).toEqual([
      {
        kind: 'file',
        line: 4,
        column: 'Label',
        message: expect.stringMatching(
          /^“Label” in row 4 is =A4&"!" \(last result in the file: “ny!”\)\. Formulas are not imported/,
        ),
      },
    ]);
  });

  it('reads a chosen sheet, and names the sheets there are when the chosen one is missing', async () => {
    const bytes = await workbook();
    expect((await parseUpload({ name: 'h.xlsx', bytes }, { sheet: 'Notes' })).records).toEqual([
      { line: 2, cells: ['n1', 'hello'] },
    ]);
    expect((await refusal(parseUpload({ name: 'h.xlsx', bytes }, { sheet: 'Nope' }))).message).toBe(
      'The workbook has no sheet “Nope”; its sheets are “Holidays”, “Notes”.',
    );
  });

  it('reads a minimal hand-made workbook (inline strings, no styles)', async () => {
    const xml = sheetXml(
      '<row r="1"><c r="A1" t="inlineStr"><is><t>key</t></is></c><c r="B1" t="inlineStr"><is><t>n</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="B2"><v>3</v></c></row>',
    );
    const sheet = await parseUpload({ name: 'x.xlsx', bytes: buildZip(workbookParts(xml)) });
    expect(sheet.records).toEqual([{ line: 2, cells: ['a', '3'] }]);
  });
});
