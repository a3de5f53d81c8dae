// What a playbook writes: rows [{ tableId, tableName, key, kind, requested }], stored as JSON on the playbook
// once approved. Administrators type it as JSON in the playbook form; this module reads that text (its shape
// only); the service checks each row against the table's live schema with the row form's own parser, so a
// playbook can hold nothing a form could not.
import { isUnaddressableSegment } from '../../genesys/path-segments.js';
import type { Row, RowValue } from '../../genesys/gateway.js';
import { ValidationError } from '../../lib/errors.js';

export const ROW_KINDS = ['create', 'update', 'delete'] as const;
export type PlaybookRowKind = (typeof ROW_KINDS)[number];

export interface PlaybookRow {
  tableId: string;
  tableName: string;
  key: string;
  kind: PlaybookRowKind;
  /** The columns it writes (the whole row, key included, for a create); null for a delete. */
  requested: Row | null;
}

/** A row as typed, its table named by id or by name (resolved by the service). */
export interface TypedRow {
  /** 1-based, for messages. */
  number: number;
  table: string;
  key: string;
  kind: PlaybookRowKind;
  values: Record<string, RowValue>;
}

/** Enough for any playbook people run by hand; more is a bulk job or a restore. */
export const MAX_PLAYBOOK_ROWS = 200;

export const CONTENT_EXAMPLE = `[
  { "table": "Emergency Flags", "key": "Main Line", "kind": "update",
    "values": { "Active": true, "Message": "Closed: snow" } }
]`;

const refuse = (message: string): never => {
  throw new ValidationError(message, { content: message });
};

const isScalar = (v: unknown): v is RowValue =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** The rows typed in the form (shape only), or a ValidationError on the `content` field naming the row. */
export function parseContentText(text: string): TypedRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim() === '' ? '[]' : text);
  } catch (err) {
    return refuse(`The content is not valid JSON (${(err as Error).message}). It should look like ${CONTENT_EXAMPLE}`);
  }
  if (!Array.isArray(parsed)) return refuse('The content must be a JSON list of rows: [ { … }, { … } ].');
  if (parsed.length === 0) return refuse('A playbook needs at least one row to write.');
  if (parsed.length > MAX_PLAYBOOK_ROWS) return refuse(`A playbook may write at most ${MAX_PLAYBOOK_ROWS} rows.`);
  const seen = new Set<string>();
  return parsed.map((item: unknown, i) => {
    const n = i + 1;
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      return refuse(`Row ${n} must be an object like { "table": …, "key": …, "kind": …, "values": { … } }.`);
    const r = item as Record<string, unknown>;
    const extra = Object.keys(r).filter((k) => !['table', 'tableId', 'key', 'kind', 'values'].includes(k));
    if (extra.length) refuse(`Row ${n} has unknown field(s) ${extra.map((k) => `“${k}”`).join(', ')}.`);
    const table = typeof r.tableId === 'string' && r.tableId ? r.tableId : r.table;
    if (typeof table !== 'string' || table === '') refuse(`Row ${n} needs "table" (the table's name).`);
    if (typeof r.key !== 'string' || r.key === '') refuse(`Row ${n} needs "key" (the row's key, as text).`);
    if (!(ROW_KINDS as readonly unknown[]).includes(r.kind))
      refuse(`Row ${n}: "kind" must be one of ${ROW_KINDS.join(', ')}.`);
    const kind = r.kind as PlaybookRowKind;
    const key = r.key as string;
    if (kind !== 'create' && isUnaddressableSegment(key))
      refuse(`Row ${n}: a row keyed “${key}” cannot be changed or deleted through this app (ADR 004).`);
    const values = r.values ?? {};
    if (typeof values !== 'object' || values === null || Array.isArray(values))
      refuse(`Row ${n}: "values" must be an object of column names and values.`);
    const entries = Object.entries(values as Record<string, unknown>);
    for (const [column, value] of entries)
      if (!isScalar(value)) refuse(`Row ${n}: the value of “${column}” must be text, a number or true/false.`);
    if (kind === 'delete' && entries.length) refuse(`Row ${n}: a delete writes no values; remove "values".`);
    if (kind === 'update' && entries.length === 0) refuse(`Row ${n}: an update needs at least one value to write.`);
    const id = `${String(table)}\u0000${key}`;
    if (seen.has(id)) refuse(`Row ${n} changes the same row as an earlier one; put both changes in one row.`);
    seen.add(id);
    return { number: n, table: table as string, key, kind, values: Object.fromEntries(entries) as Row };
  });
}

/** The stored content as rows (written by this module only, so its shape is trusted). */
export const contentRows = (json: string): PlaybookRow[] => JSON.parse(json) as PlaybookRow[];

/** Content as an administrator types it again in the form (tables by name). */
export function contentText(rows: PlaybookRow[]): string {
  if (rows.length === 0) return '';
  const typed = rows.map((r) => ({
    table: r.tableName,
    key: r.key,
    kind: r.kind,
    ...(r.kind === 'delete'
      ? {}
      : {
          values: Object.fromEntries(
            Object.entries(r.requested ?? {}).filter(([c]) => !(r.kind === 'create' && c === 'key')),
          ),
        }),
  }));
  return JSON.stringify(typed, null, 2);
}

/** Whether two contents write the same rows (order included: it is the order of the writes). */
export const sameContent = (a: PlaybookRow[], b: PlaybookRow[]) => canonical(a) === canonical(b);

/** The rows as compared: columns sorted, the key only as the row's key (a create may carry it in its values too). */
function canonical(rows: PlaybookRow[]): string {
  const sorted = (row: Row | null) =>
    row === null
      ? null
      : Object.fromEntries(
          Object.keys(row)
            .filter((k) => k !== 'key')
            .sort()
            .map((k) => [k, row[k]]),
        );
  return JSON.stringify(rows.map((r) => [r.tableId, r.key, r.kind, sorted(r.requested)]));
}
