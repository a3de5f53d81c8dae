// Checks an XLSX (a zip) before ExcelJS sees it, so that a zip bomb or a pathological workbook is refused with a
// reason instead of exhausting the server. ExcelJS's reader trusts the sizes a zip declares and inflates entries
// in full, so this reads the central directory itself, refuses too many entries, too many bytes, an extreme
// compression ratio, encryption and ZIP64; requires the local entries to lie back to back exactly as the
// directory says (nothing hidden between them for a streaming reader to find); and inflates every XML entry
// once with a hard output cap, which catches an entry that lies about its size. While each XML is in hand it
// checks the element nesting and counts the cells of worksheets.
import { inflateRawSync } from 'node:zlib';
import {
  ImportFileError,
  MAX_COMPRESSION_RATIO,
  MAX_FILE_COLUMNS,
  MAX_XLSX_CELLS,
  MAX_XLSX_UNCOMPRESSED_BYTES,
  MAX_XML_DEPTH,
  MAX_ZIP_ENTRIES,
  count,
  megabytes,
} from './import-limits.js';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  offset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const DESCRIPTOR = 0x08074b50;
const NOT_A_WORKBOOK =
  'The file is not a readable Excel workbook (.xlsx). Open it in Excel and save it again as .xlsx, or as CSV.';

const refuse = (why: string): never => {
  throw new ImportFileError(why);
};

function findEocd(buf: Buffer): number {
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--)
    if (buf.readUInt32LE(i) === EOCD) return i;
  return refuse(NOT_A_WORKBOOK);
}

/** The entries of the zip's central directory and where it starts, or a refusal. */
export function readCentralDirectory(buf: Buffer): { entries: ZipEntry[]; directoryOffset: number } {
  const eocd = findEocd(buf);
  const total = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (total === 0xffff || cdOffset === 0xffffffff)
    refuse('The workbook uses ZIP64, which only files far larger than an import needs use. Save it again as .xlsx.');
  if (total > MAX_ZIP_ENTRIES)
    refuse(`The workbook has ${count(total)} parts; an import accepts at most ${count(MAX_ZIP_ENTRIES)}.`);
  if (cdOffset + cdSize > eocd) refuse(NOT_A_WORKBOOK);
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let n = 0; n < total; n++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== CENTRAL) refuse(NOT_A_WORKBOOK);
    const nameLength = buf.readUInt16LE(p + 28);
    entries.push({
      flags: buf.readUInt16LE(p + 8),
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      offset: buf.readUInt32LE(p + 42),
      name: buf.toString('utf8', p + 46, p + 46 + nameLength),
    });
    p += 46 + nameLength + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return { entries, directoryOffset: cdOffset };
}

/** Where an entry's data starts, checking its local header agrees with the directory. */
function dataStart(buf: Buffer, e: ZipEntry): number {
  if (e.offset + 30 > buf.length || buf.readUInt32LE(e.offset) !== LOCAL) refuse(NOT_A_WORKBOOK);
  const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
  const localSize = buf.readUInt32LE(e.offset + 22);
  // With a data descriptor (flag bit 3) the local sizes are zero; otherwise they must be the directory's.
  if (!(e.flags & 8) && (localSize !== e.size || buf.readUInt32LE(e.offset + 18) !== e.compressedSize))
    refuse('The workbook’s parts declare two different sizes: it is damaged or crafted, and is not read.');
  if (start + e.compressedSize > buf.length) refuse(NOT_A_WORKBOOK);
  return start;
}

/** The entries lie one after the other from the start of the file to the directory: nothing unlisted between. */
function assertContiguous(buf: Buffer, entries: ZipEntry[], starts: Map<ZipEntry, number>, cdOffset: number) {
  let expected = 0;
  for (const e of [...entries].sort((a, b) => a.offset - b.offset)) {
    if (e.offset !== expected) refuse('The workbook holds data outside its table of contents, and is not read.');
    expected = starts.get(e)! + e.compressedSize;
    if (e.flags & 8) expected += expected + 4 <= buf.length && buf.readUInt32LE(expected) === DESCRIPTOR ? 16 : 12;
  }
  if (expected !== cdOffset) refuse('The workbook holds data outside its table of contents, and is not read.');
}

export interface XmlFacts {
  depth: number;
  cells: number;
  widestRow: number;
}

/**
 * Deepest element nesting, cell elements (`<c`) and the most cells in one `<row`, by one pass over the bytes:
 * no parser, so no parser can be made to recurse or allocate by the content.
 */
export function scanXml(xml: Buffer): XmlFacts {
  let depth = 0;
  let deepest = 0;
  let cells = 0;
  let inRow = 0;
  let widest = 0;
  const lt = 0x3c;
  for (let i = xml.indexOf(lt); i >= 0; i = xml.indexOf(lt, i + 1)) {
    const next = xml[i + 1];
    if (next === 0x2f /* </ */) {
      depth--;
      continue;
    }
    if (next === 0x3f /* <? */ || next === 0x21 /* <! */) continue;
    const end = xml.indexOf(0x3e /* > */, i);
    if (end < 0) break;
    const selfClosing = xml[end - 1] === 0x2f;
    deepest = Math.max(deepest, selfClosing ? depth + 1 : ++depth);
    if (deepest > MAX_XML_DEPTH) break;
    const after = xml[i + 2];
    if (
      next === 0x63 /* c */ &&
      (after === 0x20 || after === 0x3e || after === 0x2f || after === 0x09 || after === 0x0a)
    ) {
      cells++;
      if (++inRow > widest) widest = inRow;
    } else if (next === 0x72 && after === 0x6f && xml[i + 3] === 0x77 /* <row */) inRow = 0;
    i = end;
  }
  return { depth: deepest, cells, widestRow: widest };
}

function inflate(buf: Buffer, e: ZipEntry, start: number): Buffer {
  const data = buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) {
    if (e.size !== e.compressedSize) refuse(NOT_A_WORKBOOK);
    return data;
  }
  if (e.method !== 8) refuse('The workbook is compressed in a way Excel does not use, and is not read.');
  let out: Buffer;
  try {
    // The cap is the size the directory declares: an entry inflating to more is lying (a classic zip bomb).
    out = inflateRawSync(data, { maxOutputLength: Math.max(1, e.size) });
  } catch {
    return refuse(
      `The workbook’s part “${e.name}” unpacks to more than it declares (or is damaged): it looks like a zip bomb, and is not read.`,
    );
  }
  if (out.length !== e.size)
    refuse(`The workbook’s part “${e.name}” is not the size it declares: it is damaged or crafted, and is not read.`);
  return out;
}

/** Refuses `buf` unless it is a zip ExcelJS can read within the bounds of import-limits.ts. */
export function guardXlsx(buf: Buffer): void {
  const { entries, directoryOffset } = readCentralDirectory(buf);
  if (entries.some((e) => e.flags & 1))
    refuse('The workbook is password-protected. Remove the password and upload it again.');
  const names = new Set(entries.map((e) => e.name));
  if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) refuse(NOT_A_WORKBOOK);
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  if (total > MAX_XLSX_UNCOMPRESSED_BYTES)
    refuse(
      `The workbook unpacks to ${megabytes(total)}; an import reads at most ${megabytes(MAX_XLSX_UNCOMPRESSED_BYTES)}. Remove other sheets, or save the sheet as CSV.`,
    );
  for (const e of entries)
    if (e.size > 1024 * 1024 && e.size > e.compressedSize * MAX_COMPRESSION_RATIO)
      refuse(
        `The workbook’s part “${e.name}” is compressed ${count(Math.round(e.size / Math.max(1, e.compressedSize)))} times, far beyond any spreadsheet: it looks like a zip bomb, and is not read.`,
      );
  const starts = new Map(entries.map((e) => [e, dataStart(buf, e)] as const));
  assertContiguous(buf, entries, starts, directoryOffset);
  let cells = 0;
  for (const e of entries) {
    if (!/\.(xml|rels)$/i.test(e.name)) continue;
    const facts = scanXml(inflate(buf, e, starts.get(e)!));
    if (facts.depth > MAX_XML_DEPTH)
      refuse(
        `The workbook’s part “${e.name}” nests elements more than ${MAX_XML_DEPTH} deep, which no spreadsheet does: it is not read.`,
      );
    if (!e.name.startsWith('xl/worksheets/')) continue;
    if (facts.widestRow > MAX_FILE_COLUMNS)
      refuse(
        `A sheet has a row of ${count(facts.widestRow)} cells; an import reads at most ${MAX_FILE_COLUMNS} columns (a data table has at most 50).`,
      );
    cells += facts.cells;
    if (cells > MAX_XLSX_CELLS)
      refuse(
        `The workbook has more than ${count(MAX_XLSX_CELLS)} cells; a data table holds at most 5,000 rows of 50 columns. Remove other sheets, rows or columns.`,
      );
  }
}
