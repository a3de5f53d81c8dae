// The backup file: a versioned JSON document with the app version, the org (name and region, never
// credentials), the time, and per table its name, description, division, schema and rows, sealed with an
// HMAC-SHA-256 of its canonical content under the server's backup key (DATA_DIR/secrets/backup-key).
// A plain hash would let anyone who can edit JSON make a "valid" file (and use the restore plan as an
// oracle for values hidden from them); only this server can make a seal it accepts as its own.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
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
  /** `hmac-sha256:<key id>:<hex>` (this app since issue 12) or `sha256:<hex>` (older files). */
  checksum: string;
}

type Content = Omit<BackupDocument, 'checksum'>;

/**
 * Where a file's seal says it comes from. 'this-server': sealed with this server's key. 'foreign': sealed by
 * another server (another key id) or an older version of the app (a plain SHA-256): it may be intact, but
 * nothing proves it was not written by hand, so only an administrator may restore it, after a warning.
 */
export type SealOrigin = 'this-server' | 'foreign';

const HMAC_SEAL = 'hmac-sha256';

/** A short public name for a key (not the key, and not reversible to it): tells "another server" from "changed". */
export function backupKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('datatable-manager backup key id').digest('hex').slice(0, 16);
}

function macOf(content: Content, key: Buffer): string {
  return createHmac('sha256', key).update(canonicalJson(content)).digest('hex');
}

/** The seal of older files: a plain SHA-256 that proves only that the file was not damaged by accident. */
export function legacyChecksumOf(content: Content): string {
  return `sha256:${createHash('sha256').update(canonicalJson(content)).digest('hex')}`;
}

export function sealBackup(content: Content, key: Buffer): BackupDocument {
  return { ...content, checksum: `${HMAC_SEAL}:${backupKeyId(key)}:${macOf(content, key)}` };
}

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The file's origin, or null when its seal does not match its content (changed or damaged). */
export function sealOrigin(doc: BackupDocument, key: Buffer): SealOrigin | null {
  const { checksum, ...content } = doc;
  if (typeof checksum !== 'string') return null;
  const [kind, keyId, mac] = checksum.split(':');
  if (kind === HMAC_SEAL && keyId !== undefined && mac !== undefined) {
    if (keyId !== backupKeyId(key)) return 'foreign';
    return sameText(mac, macOf(content, key)) ? 'this-server' : null;
  }
  return sameText(checksum, legacyChecksumOf(content)) ? 'foreign' : null;
}
