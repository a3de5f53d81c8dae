// An uploaded import file → ParsedSheet, bounded (security-reliability.md §1.10 R7; limits in import-limits.ts).
// Takes the upload as multer's memory storage gives it (a Buffer, at most MAX_UPLOAD_BYTES because multer's
// `limits.fileSize` stops reading there) or as a stream, which is read only up to the same bound: a 60 MB
// file is refused after 10 MB, never held whole. The format is decided by the file's first bytes, not its
// name: a zip is an XLSX, an old binary .xls is refused with what to do, anything else is read as CSV text.
import type { Readable } from 'node:stream';
import { readCsv } from './csv-read.js';
import { ImportFileError, MAX_UPLOAD_BYTES, UPLOAD_TOO_LARGE_MESSAGE } from './import-limits.js';
import type { ParsedSheet } from './import-types.js';
import { readXlsx } from './xlsx-read.js';

export type Upload = { name: string; bytes: Buffer } | { name: string; stream: Readable };

/** The stream's bytes, refused as soon as they pass the bound (the rest is not read). */
async function readBounded(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buf.length;
    if (size > MAX_UPLOAD_BYTES) {
      stream.destroy();
      throw new ImportFileError(UPLOAD_TOO_LARGE_MESSAGE);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}

const isZip = (b: Buffer) => b.length >= 4 && b.readUInt32LE(0) === 0x04034b50;
const isOleXls = (b: Buffer) => b.length >= 8 && b.readUInt32BE(0) === 0xd0cf11e0 && b.readUInt32BE(4) === 0xa1b11ae1;

export async function parseUpload(file: Upload, opts: { sheet?: string } = {}): Promise<ParsedSheet> {
  const bytes = 'bytes' in file ? file.bytes : await readBounded(file.stream);
  if (bytes.length > MAX_UPLOAD_BYTES) throw new ImportFileError(UPLOAD_TOO_LARGE_MESSAGE);
  if (bytes.length === 0) throw new ImportFileError('The file is empty: there is nothing to import.');
  if (isZip(bytes)) return readXlsx(file.name, bytes, opts);
  if (isOleXls(bytes))
    throw new ImportFileError(
      'This is an old Excel file (.xls). Open it in Excel and save it as .xlsx or CSV, then upload that.',
    );
  if (/\.xlsx$/i.test(file.name))
    throw new ImportFileError(
      'The file is named .xlsx but is not an Excel workbook. Open it in Excel and save it again.',
    );
  return readCsv(file.name, bytes);
}
