// CSV import jobs (new `import/csv/jobs` with upload headers, and the deprecated `import/jobs`) and export
// jobs (operations 13-18). CSV format (UNCONFIRMED upstream): UTF-8 (BOM tolerated), RFC 4180, a header row
// of property names including `key`; empty cells take the field's default.
import { randomBytes, randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { errors, GenesysError } from './errors.js';
import { listing, readPaging } from './listing.js';
import type { EmulatorOptions } from './options.js';
import { refuseInjectedFailure, rowToStore } from './rows-api.js';
import { parseCsvCell, type Row } from './schema-rules.js';
import { touchRows, type DataTableState, type ExportJob, type ImportJob, type OrgState } from './store.js';
import { findTable } from './tables-api.js';
import { decimalText } from './value-normalisation.js';
import { noteRowChange, visibleKeys, visibleRow, type Lag } from './visibility.js';

export const UPLOAD_HEADER = 'x-emulator-upload-token';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function importJobEntity(org: OrgState, job: ImportJob, origin: string) {
  return {
    id: job.id,
    name: `Import ${job.importMode}`,
    owner: { id: job.owner, selfUri: `/api/v2/users/${job.owner}` },
    status: job.status,
    dateCreated: job.dateCreated,
    ...(job.dateCompleted ? { dateCompleted: job.dateCompleted } : {}),
    ...(job.status === 'WaitingForUpload' ? { uploadURI: `${origin}/uploads/${job.id}` } : {}),
    importMode: job.importMode,
    ...(job.errorInformation ? { errorInformation: job.errorInformation } : {}),
    countRecordsUpdated: job.countRecordsUpdated,
    countRecordsDeleted: job.countRecordsDeleted,
    countRecordsFailed: job.countRecordsFailed,
    ...(job.uploadHeaders && job.status === 'WaitingForUpload' ? { uploadHeaders: job.uploadHeaders } : {}),
    selfUri: `/api/v2/flows/datatables/${job.tableId}/import/jobs/${job.id}`,
  };
}

/**
 * The headers an upload must carry, as a signed storage URL fixes them (genesys-datatables.md §13): a
 * per-session secret and, when the knob names one, the Content-Type.
 */
function signedUploadHeaders(options: EmulatorOptions): Record<string, string> {
  const contentType = options.behaviour.uploadContentType;
  return { ...(contentType ? { 'Content-Type': contentType } : {}), [UPLOAD_HEADER]: randomBytes(16).toString('hex') };
}

export function createImportJob(
  org: OrgState,
  tableId: string,
  body: unknown,
  ownerId: string,
  origin: string,
  deprecatedEndpoint: boolean,
  options: EmulatorOptions,
) {
  findTable(org, tableId);
  const mode = isObject(body) ? body.importMode : undefined;
  if (mode !== 'ReplaceAll' && mode !== 'Append') {
    throw errors.invalidValue(
      `Value [${String(mode)}] is not valid for field type [importMode]. Allowable values are: ReplaceAll, Append`,
    );
  }
  const table = findTable(org, tableId);
  const job: ImportJob = {
    id: randomUUID(),
    tableId,
    status: 'WaitingForUpload',
    importMode: mode,
    dateCreated: new Date().toISOString(),
    countRecordsUpdated: 0,
    countRecordsDeleted: 0,
    countRecordsFailed: 0,
    owner: ownerId,
    deprecatedEndpoint,
    ...(deprecatedEndpoint ? {} : { uploadHeaders: signedUploadHeaders(options) }),
  };
  table.importJobs.push(job);
  return importJobEntity(org, job, origin);
}

export function findImportJob(org: OrgState, jobId: string): { table: DataTableState; job: ImportJob } | undefined {
  for (const table of org.tables.values()) {
    const job = table.importJobs.find((j) => j.id === jobId);
    if (job) return { table, job };
  }
  return undefined;
}

export function listImportJobs(
  org: OrgState,
  tableId: string,
  query: URLSearchParams,
  options: EmulatorOptions,
  origin: string,
) {
  const table = findTable(org, tableId);
  const jobs = [...table.importJobs].sort((a, b) => (a.dateCreated < b.dateCreated ? 1 : -1));
  return listing(
    jobs.map((j) => importJobEntity(org, j, origin)),
    readPaging(query, options.behaviour),
    '',
    '',
    false,
  );
}

export function getImportJob(org: OrgState, tableId: string, jobId: string, origin: string) {
  const job = findTable(org, tableId).importJobs.find((j) => j.id === jobId);
  if (!job) throw errors.notFound(`Import job ${jobId} not found`);
  return importJobEntity(org, job, origin);
}

/** Applies an uploaded CSV to the table; rows that fail validation are counted, the rest are written. */
export function processImport(
  table: DataTableState,
  job: ImportJob,
  csv: Buffer,
  options: EmulatorOptions,
  lag?: Lag,
): void {
  let records: Record<string, string>[];
  try {
    records = parse(csv, { bom: true, columns: true, skip_empty_lines: true, relax_column_count: false }) as Record<
      string,
      string
    >[];
  } catch (err) {
    return failJob(job, errors.badRequest(`The CSV file could not be read: ${(err as Error).message}`));
  }
  const header = records.length ? Object.keys(records[0]!) : [];
  const unknown = header.filter((h) => !table.schema.properties[h]);
  if (records.length && (!header.includes('key') || unknown.length)) {
    return failJob(
      job,
      errors.badRequest(
        `The CSV header must name schema fields including 'key'; unknown: ${unknown.join(', ') || '(key missing)'}`,
      ),
    );
  }
  if (job.importMode === 'ReplaceAll') {
    job.countRecordsDeleted = table.rows.size;
    for (const [key, row] of table.rows) noteRowChange(table, key, row, lag);
    table.rows.clear();
  }
  const seen = new Set<string>();
  for (const record of records) {
    try {
      const body: Record<string, unknown> = {};
      for (const [name, raw] of Object.entries(record)) body[name] = parseCsvCell(raw, table.schema.properties[name]!);
      const row: Row = rowToStore(body, table, options);
      const key = String(row.key);
      refuseInjectedFailure(key, options);
      if (seen.has(key)) throw errors.syntax(`Duplicate key ${key} in the file.`);
      if (!table.rows.has(key) && table.rows.size >= options.limits.maxRowsPerTable)
        throw errors.syntax('Row limit reached.');
      seen.add(key);
      noteRowChange(table, key, table.rows.get(key), lag);
      table.rows.set(key, row);
      job.countRecordsUpdated++;
    } catch (err) {
      if (!(err instanceof GenesysError)) throw err;
      job.countRecordsFailed++;
    }
  }
  touchRows(table);
  job.status = 'Succeeded';
  job.dateCompleted = new Date().toISOString();
}

function failJob(job: ImportJob, err: GenesysError): void {
  job.status = 'Failed';
  job.dateCompleted = new Date().toISOString();
  job.errorInformation = err.body('');
}

// ---- export ------------------------------------------------------------------------------------------

export function exportJobEntity(job: ExportJob, origin: string) {
  return {
    id: job.id,
    name: 'Export',
    owner: { id: job.owner, selfUri: `/api/v2/users/${job.owner}` },
    status: job.status,
    dateCreated: job.dateCreated,
    ...(job.dateCompleted ? { dateCompleted: job.dateCompleted } : {}),
    ...(job.status === 'Succeeded' ? { downloadURI: `${origin}/downloads/${job.downloadToken}` } : {}),
    countRecordsProcessed: job.countRecordsProcessed,
    selfUri: `/api/v2/flows/datatables/${job.tableId}/export/jobs/${job.id}`,
  };
}

export function createExportJob(org: OrgState, tableId: string, ownerId: string, origin: string) {
  const table = findTable(org, tableId);
  const job: ExportJob = {
    id: randomUUID(),
    tableId,
    status: 'Processing',
    dateCreated: new Date().toISOString(),
    downloadToken: randomBytes(16).toString('hex'),
    countRecordsProcessed: 0,
    owner: ownerId,
  };
  table.exportJobs.push(job);
  return { job, entity: exportJobEntity(job, origin) };
}

/** Writes the table as reads see it at `now` (a new row may be missing, a deleted one still there). */
export function processExport(table: DataTableState, job: ExportJob, options: EmulatorOptions, now: number): void {
  const props = Object.entries(table.schema.properties)
    .sort(([a, pa], [b, pb]) =>
      a === 'key' ? -1 : b === 'key' ? 1 : (pa.displayOrder ?? 999) - (pb.displayOrder ?? 999),
    )
    .map(([name]) => name);
  const rows = visibleKeys(table, now).map((k) => visibleRow(table, k, now)!);
  const decimals = options.behaviour.normaliseValues;
  const cell = (r: Row, p: string) => {
    const v = r[p];
    if (typeof v === 'boolean') return String(v);
    return decimals && typeof v === 'number' && table.schema.properties[p]?.type === 'number' ? decimalText(v) : v;
  };
  job.csv = stringify(
    rows.map((r) => props.map((p) => cell(r, p))),
    { header: true, columns: props },
  );
  job.countRecordsProcessed = rows.length;
  job.status = 'Succeeded';
  job.dateCompleted = new Date().toISOString();
}

export function getExportJob(org: OrgState, tableId: string, jobId: string, origin: string) {
  const job = findTable(org, tableId).exportJobs.find((j) => j.id === jobId);
  if (!job) throw errors.notFound(`Export job ${jobId} not found`);
  return exportJobEntity(job, origin);
}
