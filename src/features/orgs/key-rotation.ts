// Rotates the data-encryption key: a new key encrypts every stored secret again, the old key is kept as
// `data-key.retired-<keyId>` (backups taken before the rotation still need it). Crash-safe and resumable:
// 1. the new key is written to `data-key.next` (reused if a previous run stopped),
// 2. every secret is re-encrypted in one database transaction (start-up can read `.next`, so a crash here
//    leaves nothing unreadable),
// 3. the files are renamed: data-key -> data-key.retired-<id>, data-key.next -> data-key.
// Run it with the server stopped: a running server keeps the old key until it restarts. The org client
// secret is the only encrypted field in the database today; a new one must be added here.
import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import {
  ensureSecretFile,
  NEXT_KEY_SUFFIX,
  readRetiredKeys,
  readSecretFile,
  RETIRED_KEY_PREFIX,
} from '../../lib/secret-files.js';
import { keyIdOf, SecretBox } from '../../lib/secret-box.js';
import type { OrgRepository } from './org-repository.js';
import { secretAad } from './org-service.js';

export interface RotationResult {
  oldKeyId: string;
  newKeyId: string;
  reEncrypted: number;
}

export async function rotateDataKey(orgs: OrgRepository, dataKeyFile: string): Promise<RotationResult> {
  const current = readSecretFile(dataKeyFile, 32, 'data-encryption key');
  const nextFile = `${dataKeyFile}${NEXT_KEY_SUFFIX}`;
  const next = existsSync(nextFile)
    ? readSecretFile(nextFile, 32, 'next data-encryption key')
    : ensureSecretFile(nextFile, 32, 'next data-encryption key');
  if (next.equals(current)) throw new Error('The next key equals the current key; delete data-key.next and run again.');
  const retired = readRetiredKeys(dataKeyFile).filter((k) => !k.equals(next));
  const reader = new SecretBox(current, [...retired, next]);
  const writer = new SecretBox(next, [current, ...retired]);
  const rows = await orgs.listEncrypted();
  await orgs.replaceSecrets(
    rows.map((row) => ({
      id: row.id,
      clientSecretEnc: writer.encrypt(reader.decrypt(row.clientSecretEnc!, secretAad(row.id)), secretAad(row.id)),
      secretKeyId: writer.currentKeyId,
    })),
  );
  const oldKeyId = keyIdOf(current);
  renameSync(dataKeyFile, path.join(path.dirname(dataKeyFile), `${RETIRED_KEY_PREFIX}${oldKeyId}`));
  renameSync(nextFile, dataKeyFile);
  return { oldKeyId, newKeyId: keyIdOf(next), reEncrypted: rows.length };
}
