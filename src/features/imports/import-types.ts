// What an import is made of, between the parser (import-parse.ts), the dry run (import-plan.ts), the pages
// (import-routes.ts) and the apply job (import-apply.ts). A dry run reads and checks the whole file and keeps
// an ImportPlan (ImportDraft.plan); nothing is written to Genesys until the person applies it.
import type { Row } from '../../genesys/gateway.js';

export const IMPORT_MODES = ['add', 'upsert', 'exact'] as const;
/** add: new rows only; upsert: add and update; exact: make the table exactly like the file (deletes too). */
export type ImportMode = (typeof IMPORT_MODES)[number];

/** A file as read: its header and its records, all text, before mapping. Bounded by the parser's limits. */
export interface ParsedSheet {
  fileName: string;
  format: 'csv' | 'xlsx';
  /** csv: the delimiter and encoding found; xlsx: the sheet read and the sheets there are. */
  delimiter?: string;
  encoding?: string;
  sheet?: string;
  sheets?: string[];
  header: string[];
  /** Each record's cells in header order; `line` is its line (csv) or row number (xlsx) in the file. */
  records: { line: number; cells: string[] }[];
  /** Problems of the file itself (inconsistent column counts, a formula cell, a BOM in the middle...). */
  problems: ImportProblem[];
}

/** File header → table column (absent or null: the file's column is not imported). */
export type ColumnMapping = Record<string, string | null>;

export const PROBLEM_KINDS = [
  'file',
  'bad_type',
  'bad_format',
  'duplicate_key',
  'key_too_long',
  'dot_key',
  'row_limit',
  'hidden_column',
  'read_only_column',
  'not_writable',
  'no_add_right',
  'no_delete_right',
  'missing_key',
  'unknown_column',
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

/** One problem found by the dry run; the page groups them by kind, then row, then column. */
export interface ImportProblem {
  kind: ProblemKind;
  /** The line (csv) or row number (xlsx) in the file, when the problem is in one record. */
  line?: number;
  /** The file's header or the table column it names, when the problem is in one column. */
  column?: string;
  message: string;
}

/** What applying the plan would do, row by row (values only in columns the importer may see). */
export interface ImportPlan {
  mode: ImportMode;
  mapping: ColumnMapping;
  /** Table columns the file writes (mapped, writable). */
  columns: string[];
  adds: { line: number; key: string; row: Row }[];
  updates: { line: number; key: string; before: Row; after: Row; changed: string[] }[];
  /** Only in mode exact: rows of the table missing from the file. */
  deletes: { key: string; before: Row }[];
  unchanged: number;
  problems: ImportProblem[];
  /** Parse facts shown with the dry run (delimiter, encoding, sheet). */
  source: Pick<ParsedSheet, 'fileName' | 'format' | 'delimiter' | 'encoding' | 'sheet' | 'sheets'>;
}
