// The shapes of Genesys Cloud data-table schemas and rows (genesys-datatables.md §4.2-4.3), shared by the
// gateway and the emulator that imitates Genesys.

export type FieldType = 'boolean' | 'integer' | 'number' | 'string';
export const FIELD_TYPES: readonly FieldType[] = ['boolean', 'integer', 'number', 'string'];

export interface FieldSchema {
  type: FieldType;
  title?: string;
  $id?: string;
  displayOrder?: number;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  [extra: string]: unknown;
}

export interface TableSchema {
  $schema?: string;
  type?: string;
  title?: string;
  description?: string;
  required: string[];
  properties: Record<string, FieldSchema>;
  additionalProperties: false;
  [extra: string]: unknown;
}

export type RowValue = string | number | boolean;
export type Row = Record<string, RowValue>;

/** The row exists and holds every value of `wanted` (other columns may differ). */
export function rowHolds(row: Row | null | undefined, wanted: Row | null | undefined): boolean {
  return row != null && wanted != null && Object.keys(wanted).every((c) => row[c] === wanted[c]);
}
