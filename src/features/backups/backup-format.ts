// The backup file: a versioned JSON document with the app version, the org (name and region, never
// credentials), the time, and per table its name, description, division, schema and rows, sealed with a
// SHA-256 checksum of its canonical content.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/audit-repository.js';
import type { Row, TableSchema } from '../../genesys/gateway.js';

export const BACKUP_FORMAT = 'datatable-manager-backup';
export const BACKUP_VERSION = 1;

export interface BackupTable {
  id: string;
  name: string;
  description: string;
  division: { id: string; name: string };
  schema: TableSchema;
  rows: Row[];
}

export interface BackupDocument {
  format: typeof BACKUP_FORMAT;
  version: number;
  appVersion: string;
  createdAt: string;
  createdBy: string;
  org: { name: string; region: string };
  /** Hidden columns were left out: restoring it leaves those columns as they are. */
  partial: boolean;
  tables: BackupTable[];
  checksum: string;
}

export function checksumOf(doc: Omit<BackupDocument, 'checksum'>): string {
  return `sha256:${createHash('sha256').update(canonicalJson(doc)).digest('hex')}`;
}

export function sealBackup(doc: Omit<BackupDocument, 'checksum'>): BackupDocument {
  return { ...doc, checksum: checksumOf(doc) };
}
