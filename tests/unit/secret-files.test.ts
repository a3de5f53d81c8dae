import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureSecretFile, loadAppSecrets, SecretFileError } from '../../src/lib/secret-files.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'dtm-secrets-'));

describe('secret files', () => {
  it('generates each secret on first run with mode 0600 and reuses it afterwards', () => {
    const dir = tmp();
    const files = {
      sessionSecret: path.join(dir, 's', 'session'),
      dataKey: path.join(dir, 's', 'key'),
      passwordPepper: path.join(dir, 's', 'pepper'),
      backupKey: path.join(dir, 's', 'backup'),
      auditKey: path.join(dir, 's', 'audit'),
    };
    const first = loadAppSecrets(files);
    expect(first.dataKey).toHaveLength(32);
    expect(first.passwordPepper).toHaveLength(32);
    expect(first.backupKey).toHaveLength(32);
    expect(first.auditKey).toHaveLength(32);
    expect(Buffer.from(first.sessionSecret, 'base64')).toHaveLength(48);
    for (const f of Object.values(files)) expect(statSync(f).mode & 0o777).toBe(0o600);
    const second = loadAppSecrets(files);
    expect(second.dataKey.equals(first.dataKey)).toBe(true);
    expect(second.sessionSecret).toBe(first.sessionSecret);
  });

  it('generates different secrets for different installations', () => {
    const a = ensureSecretFile(path.join(tmp(), 'k'), 32, 'key');
    const b = ensureSecretFile(path.join(tmp(), 'k'), 32, 'key');
    expect(a.equals(b)).toBe(false);
  });

  it('refuses to start with a key file of the wrong length rather than replacing it', () => {
    const file = path.join(tmp(), 'key');
    writeFileSync(file, Buffer.alloc(16).toString('base64'));
    expect(() => ensureSecretFile(file, 32, 'data-encryption key')).toThrow(SecretFileError);
    expect(() => ensureSecretFile(file, 32, 'data-encryption key')).toThrow(/must hold exactly 32 random bytes/);
    expect(readFileSync(file, 'utf8')).toBe(Buffer.alloc(16).toString('base64'));
  });

  it('refuses a file that is not base64', () => {
    const file = path.join(tmp(), 'key');
    writeFileSync(file, 'not base64 at all!!');
    expect(() => ensureSecretFile(file, 32, 'key')).toThrow(SecretFileError);
  });

  it('tightens a world-readable secret file to 0600', () => {
    const file = path.join(tmp(), 'key');
    writeFileSync(file, Buffer.alloc(32, 7).toString('base64'), { mode: 0o644 });
    ensureSecretFile(file, 32, 'key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
