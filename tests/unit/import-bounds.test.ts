// R7 (security-reliability.md §1.10): import parsing is bounded. Each hostile file is refused with a reason (a
// 400 ImportFileError, never a 5xx) and the process's peak memory grows by less than MEMORY_CAP while it is.
import { Readable } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseUpload, type Upload } from '../../src/features/imports/import-parse.js';
import {
  ImportFileError,
  MAX_UPLOAD_BYTES,
  UPLOAD_TOO_LARGE_MESSAGE,
} from '../../src/features/imports/import-limits.js';
import { buildZip, deflatedBlanks, sheetXml, workbookParts, type ZipPart } from '../helpers/zip-builder.js';

/** What one refusal may add to the process's peak memory (the 10 MB upload itself and parsing it). */
const MEMORY_CAP = 48 * 1024 * 1024;
const peak = () => process.resourceUsage().maxRSS * 1024;

async function refusedWithin(upload: Upload, opts: { sheet?: string } = {}): Promise<string> {
  const before = peak();
  const err = await parseUpload(upload, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImportFileError);
  expect((err as ImportFileError).status).toBe(400);
  expect(peak() - before).toBeLessThan(MEMORY_CAP);
  return (err as ImportFileError).message;
}

/** A workbook whose sheet is 80 MB of blanks in 83 KB, declaring `declaredSize` bytes. */
const bomb = (declaredSize: number): ZipPart[] => [
  ...workbookParts(sheetXml('')).slice(0, 3),
  { name: 'xl/worksheets/sheet1.xml', data: '', packed: deflatedBlanks(80), declaredSize },
];

/** `size` bytes of CSV made on the fly, 64 KB at a time (never a buffer of that size). */
function csvStream(size: number): Readable {
  const line = Buffer.from('key,a,b,c\nk,1,2,3\n'.repeat(64 * 1024).slice(0, 64 * 1024));
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      sent += line.length;
      this.push(line);
    },
  });
}

describe('R7: import parsing is bounded', { timeout: 30_000 }, () => {
  it('a 60 MB CSV is refused after the upload limit, read no further than 10 MB', async () => {
    const stream = csvStream(60 * 1024 * 1024);
    expect(await refusedWithin({ name: 'big.csv', stream })).toBe(UPLOAD_TOO_LARGE_MESSAGE);
    expect(stream.destroyed).toBe(true);
    expect(UPLOAD_TOO_LARGE_MESSAGE).toMatch(/larger than 10 MB/);
    // As multer's memory storage would hand over a file it had not capped: refused by its length.
    expect(await refusedWithin({ name: 'big.csv', bytes: Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0x41) })).toBe(
      UPLOAD_TOO_LARGE_MESSAGE,
    );
  });

  it('a CSV of 1,000,000 columns is refused before it is parsed', async () => {
    const bytes = Buffer.from(`${'c,'.repeat(999_999)}c\n${'1,'.repeat(999_999)}1\n`);
    expect(await refusedWithin({ name: 'wide.csv', bytes })).toMatch(
      /^The file’s first line has more than 200 columns; an import reads at most 200/,
    );
  });

  it('an XLSX with a cell at column 16,384 (Excel’s last) or 1,000,000 is refused', async () => {
    const at = (ref: string) =>
      buildZip(
        workbookParts(
          sheetXml(`<row r="1"><c r="A1" t="inlineStr"><is><t>key</t></is></c><c r="${ref}"><v>1</v></c></row>`),
        ),
      );
    expect(await refusedWithin({ name: 'wide.xlsx', bytes: at('XFD1') })).toBe(
      'The sheet’s first row reaches column 16,384; an import reads at most 200 columns (a data table has at most 50).',
    );
    // Beyond Excel's columns ExcelJS itself stops: still a 400 with a reason.
    expect(await refusedWithin({ name: 'wide.xlsx', bytes: at('BDWGN1') })).toMatch(
      /cannot be read as an Excel workbook/,
    );
  });

  it('an XLSX row of more than 200 cells is refused before ExcelJS reads it', async () => {
    const cells = Array.from({ length: 5000 }, (_, i) => `<c r="A${i}"><v>1</v></c>`).join('');
    expect(
      await refusedWithin({ name: 'wide.xlsx', bytes: buildZip(workbookParts(sheetXml(`<row r="1">${cells}</row>`))) }),
    ).toMatch(/^A sheet has a row of 5,000 cells; an import reads at most 200 columns/);
  });

  it('a zip bomb disguised as XLSX that declares a small size is refused without inflating it', async () => {
    // sheet1.xml inflates to 80 MB of blanks (above the 64 MB cap) but says it is 2 KB: ExcelJS would inflate it all.
    const bytes = buildZip(bomb(2048));
    expect(bytes.length).toBeLessThan(1024 * 1024); // a file well under the upload limit
    expect(await refusedWithin({ name: 'bomb.xlsx', bytes })).toBe(
      'The workbook’s part “xl/worksheets/sheet1.xml” unpacks to more than it declares (or is damaged): it looks like a zip bomb, and is not read.',
    );
  });

  it('a zip bomb that declares its real size is refused by the total size, and a smaller one by its ratio', async () => {
    expect(await refusedWithin({ name: 'bomb.xlsx', bytes: buildZip(bomb(80 * 1024 * 1024)) })).toMatch(
      /^The workbook unpacks to 80 MB; an import reads at most 64 MB/,
    );
    const dense = Buffer.concat([Buffer.from(sheetXml('')), Buffer.alloc(8 * 1024 * 1024, 0x20)]);
    expect(await refusedWithin({ name: 'bomb.xlsx', bytes: buildZip(workbookParts(dense)) })).toMatch(
      /^The workbook’s part “xl\/worksheets\/sheet1.xml” is compressed [\d,]+ times, far beyond any spreadsheet: it looks like a zip bomb/,
    );
  });

  it('data hidden between the zip’s entries (where a streaming reader would find it) is refused', async () => {
    const hidden = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), deflateRawSync(Buffer.alloc(1 << 20))]);
    const bytes = buildZip(workbookParts(sheetXml('')), { gapAfterFirst: hidden });
    expect(await refusedWithin({ name: 'x.xlsx', bytes })).toBe(
      'The workbook holds data outside its table of contents, and is not read.',
    );
  });

  it('deeply nested XLSX XML is refused before any XML parser sees it', async () => {
    const depth = 100_000;
    const xml = sheetXml(`<row r="1">${'<x>'.repeat(depth)}${'</x>'.repeat(depth)}</row>`);
    expect(await refusedWithin({ name: 'deep.xlsx', bytes: buildZip(workbookParts(xml)) })).toBe(
      'The workbook’s part “xl/worksheets/sheet1.xml” nests elements more than 64 deep, which no spreadsheet does: it is not read.',
    );
  });

  it('too many cells in the workbook are refused; a damaged zip is refused, not a 5xx', async () => {
    const rows = Array.from(
      { length: 6000 },
      (_, r) =>
        `<row r="${r + 1}">${Array.from({ length: 45 }, (_, c) => `<c r="${String.fromCharCode(65 + (c % 26))}${r + 1}"><v>1</v></c>`).join('')}</row>`,
    ).join('');
    expect(await refusedWithin({ name: 'many.xlsx', bytes: buildZip(workbookParts(sheetXml(rows))) })).toMatch(
      /^The workbook has more than 250,050 cells/,
    );
    const good = buildZip(workbookParts(sheetXml('')));
    expect(await refusedWithin({ name: 'cut.xlsx', bytes: good.subarray(0, good.length - 30) })).toMatch(
      /not a readable Excel workbook/,
    );
    const scrambled = Buffer.from(good);
    scrambled.fill(0x41, 200, 260);
    expect(await refusedWithin({ name: 'bad.xlsx', bytes: scrambled })).toMatch(/Excel workbook|damaged/);
  });
});
