// Secrets that must never have a hard-coded default: generated on first run into DATA_DIR (mode 0600), or
// read from files named by env, and reused afterwards. Keys live in files, not env vars (OWASP: env vars leak
// through /proc and crash dumps), and away from the database so a copied DB file alone reveals nothing.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';

export class SecretFileError extends Error {
  override name = 'SecretFileError';
}

/**
 * Returns the secret stored (base64) in `file`, creating it with `bytes` random bytes when missing.
 * A present file of the wrong length stops start-up: silently replacing it would lock out every password
 * (pepper) or make every stored credential undecryptable (data key).
 */
export function ensureSecretFile(file: string, bytes: number, what: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      // 'wx' fails if another process created it meanwhile; then we read theirs.
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${randomBytes(bytes).toString('base64')}\n`);
      closeSync(fd);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readSecretFile(file, bytes, what);
}

export function readSecretFile(file: string, bytes: number, what: string): Buffer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new SecretFileError(`Cannot read the ${what} file ${file}: ${(err as Error).message}`);
  }
  const value = Buffer.from(text, 'base64');
  if (value.length !== bytes || value.toString('base64') !== text.replace(/\s+/g, '')) {
    throw new SecretFileError(
      `The ${what} file ${file} must hold exactly ${bytes} random bytes in base64 (found ${value.length}). ` +
        'Restore the original file from your backup; replacing it makes existing data unusable.',
    );
  }
  tightenPermissions(file);
  return value;
}

function tightenPermissions(file: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) chmodSync(file, 0o600);
}

export interface AppSecrets {
  sessionSecret: string;
  dataKey: Buffer;
  /** Keys retired by a rotation (`data-key.retired-<keyId>` beside the key file): decrypt only. */
  retiredDataKeys: Buffer[];
  passwordPepper: Buffer;
  /** HMAC key sealing backup files: a file this server did not seal cannot pass as one it did. */
  backupKey: Buffer;
}

export const RETIRED_KEY_PREFIX = 'data-key.retired-';
/** A rotation in progress writes the new key here first (see src/lib/key-rotation.ts). */
export const NEXT_KEY_SUFFIX = '.next';

/** Keys that may still be needed to decrypt: retired ones, and a half-finished rotation's new key. */
export function readRetiredKeys(dataKeyFile: string): Buffer[] {
  const dir = path.dirname(dataKeyFile);
  if (!existsSync(dir)) return [];
  const retired = readdirSync(dir)
    .filter((f) => f.startsWith(RETIRED_KEY_PREFIX))
    .map((f) => readSecretFile(path.join(dir, f), 32, 'retired data-encryption key'));
  const next = `${dataKeyFile}${NEXT_KEY_SUFFIX}`;
  return existsSync(next) ? [...retired, readSecretFile(next, 32, 'next data-encryption key')] : retired;
}

export function loadAppSecrets(files: { sessionSecret: string; dataKey: string; passwordPepper: string; backupKey: string }): AppSecrets {
  return {
    sessionSecret: ensureSecretFile(files.sessionSecret, 48, 'session secret').toString('base64'),
    dataKey: ensureSecretFile(files.dataKey, 32, 'data-encryption key'),
    retiredDataKeys: readRetiredKeys(files.dataKey),
    passwordPepper: ensureSecretFile(files.passwordPepper, 32, 'password pepper'),
    backupKey: ensureSecretFile(files.backupKey, 32, 'backup sealing key'),
  };
}
