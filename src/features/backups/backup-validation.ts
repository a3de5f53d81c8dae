// Everything about a backup file is checked before anything is written: size, nesting depth, JSON parsed
// safely (no prototype pollution), format, version, seal, then per table its schema against the target table and
// every row (type, key, duplicates, the 5,000-row limit). Every problem names the table, row and field.
import sjson from 'secure-json-parse';
import type { DataTable, FieldSchema, Row } from '../../genesys/gateway.js';
import { ValidationError } from '../../lib/errors.js';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  sealOrigin,
  type BackupDocument,
  type BackupTable,
  type SealOrigin,
} from './backup-format.js';
import { depthBeyond } from './json-depth.js';

export const MAX_BACKUP_BYTES = 50 * 1024 * 1024;
export const MAX_ROWS_PER_TABLE = 5000;

export interface Problem {
  table?: string;
  rowKey?: string;
  field?: string;
  message: string;
}

export class BackupInvalidError extends ValidationError {
  constructor(readonly problems: Problem[]) {
    super(`The backup cannot be restored: ${problems.length} problem(s) found. Nothing was written.`);
    this.name = 'BackupInvalidError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A backup nests about six levels (document, tables, table, schema, properties, column); far more is hostile. */
export const MAX_JSON_DEPTH = 32;

/**
 * Parses and checks the file itself (not yet against any org): size, nesting depth, JSON, format, version,
 * seal. Returns the document and where its seal says it comes from (see sealOrigin).
 */
export function parseBackup(text: string, sealKey: Buffer): { doc: BackupDocument; origin: SealOrigin } {
  if (Buffer.byteLength(text) > MAX_BACKUP_BYTES)
    throw new BackupInvalidError([{ message: `The file is larger than ${MAX_BACKUP_BYTES / 1048576} MB.` }]);
  const tooDeep = depthBeyond(text, MAX_JSON_DEPTH);
  if (tooDeep !== null)
    throw new BackupInvalidError([
      {
        message: `The file nests data more than ${MAX_JSON_DEPTH} levels deep; a backup file never does, so it was not read.`,
      },
    ]);
  let doc: unknown;
  try {
    doc = sjson.parse(text.replace(/^\uFEFF/, ''), undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    throw new BackupInvalidError([{ message: `The file is not valid JSON (${(err as Error).message}).` }]);
  }
  if (!isObject(doc) || doc.format !== BACKUP_FORMAT)
    throw new BackupInvalidError([{ message: 'This is not a Data Table Manager backup file.' }]);
  if (doc.version !== BACKUP_VERSION)
    throw new BackupInvalidError([
      {
        message: `Backup format version ${String(doc.version)} is not supported (this app reads version ${BACKUP_VERSION}).`,
      },
    ]);
  const origin = sealOrigin(doc as unknown as BackupDocument, sealKey);
  if (!origin)
    throw new BackupInvalidError([
      { message: 'The checksum does not match: the file was changed or damaged after it was made.' },
    ]);
  if (
    !Array.isArray(doc.tables) ||
    doc.tables.some((t) => !isObject(t) || typeof t.name !== 'string' || !isObject(t.schema) || !Array.isArray(t.rows))
  ) {
    throw new BackupInvalidError([{ message: 'The backup has no readable list of tables.' }]);
  }
  return { doc: doc as unknown as BackupDocument, origin };
}

function typeOk(prop: FieldSchema, v: unknown): boolean {
  if (prop.type === 'string') return typeof v === 'string';
  if (prop.type === 'boolean') return typeof v === 'boolean';
  if (prop.type === 'integer') return typeof v === 'number' && Number.isSafeInteger(v);
  return typeof v === 'number' && Number.isFinite(v);
}

/** Checks one backup table against the live target table; returns the rows keyed, or the problems. */
export function checkTable(source: BackupTable, target: DataTable): { rows: Map<string, Row>; problems: Problem[] } {
  const problems: Problem[] = [];
  const table = source.name;
  for (const [field, prop] of Object.entries(source.schema.properties ?? {})) {
    const live = target.schema.properties[field];
    if (!live)
      problems.push({
        table,
        field,
        message: `The column “${field}” is in the backup but not in the table in Genesys Cloud (add it there first).`,
      });
    else if (live.type !== prop.type)
      problems.push({
        table,
        field,
        message: `The column “${field}” is ${prop.type} in the backup but ${live.type} in Genesys Cloud.`,
      });
  }
  if (source.rows.length > MAX_ROWS_PER_TABLE)
    problems.push({
      table,
      message: `The backup has ${source.rows.length} rows; a data table holds at most ${MAX_ROWS_PER_TABLE}.`,
    });
  const rows = new Map<string, Row>();
  for (const row of source.rows) {
    if (!isObject(row) || typeof row.key !== 'string' || row.key === '') {
      problems.push({ table, message: 'A row has no text key.' });
      continue;
    }
    const key = row.key;
    if ([...key].length > 256)
      problems.push({
        table,
        rowKey: key.slice(0, 40),
        field: 'key',
        message: 'The key is longer than 256 characters.',
      });
    if (rows.has(key))
      problems.push({ table, rowKey: key, field: 'key', message: 'The key appears twice in the backup.' });
    for (const [field, v] of Object.entries(row)) {
      const prop = target.schema.properties[field];
      if (!prop || !(field in (source.schema.properties ?? {}))) {
        problems.push({ table, rowKey: key, field, message: `“${field}” is not a column of the backed-up schema.` });
      } else if (!typeOk(prop, v)) {
        problems.push({ table, rowKey: key, field, message: `${JSON.stringify(v)} is not a valid ${prop.type}.` });
      }
    }
    rows.set(key, row as Row);
    if (problems.length > 200) break;
  }
  return { rows, problems };
}
