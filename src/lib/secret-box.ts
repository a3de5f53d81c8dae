// AES-256-GCM for secrets at rest (Genesys client secrets). Format: v1:<keyId>:<iv>:<tag>:<ciphertext>
// (base64url parts), a random 12-byte IV per encryption, a 16-byte tag, and associated data that binds a
// ciphertext to its record and field, so it cannot be copied onto another org. The key id names the key
// that encrypted it, so keys can be rotated (scripts/rotate-data-key.ts) while old ciphertexts still open.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  /** `current` encrypts; `older` keys only decrypt (kept after a rotation until nothing uses them). */
  constructor(current: Buffer, older: Buffer[] = []) {
    for (const key of [current, ...older]) {
      if (key.length !== 32) throw new SecretBoxError('AES-256-GCM keys must be exactly 32 bytes');
      this.keys.set(keyIdOf(key), key);
    }
    this.currentKeyId = keyIdOf(current);
  }

  encrypt(plaintext: string, associatedData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      VERSION,
      this.currentKeyId,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ct.toString('base64url'),
    ].join(':');
  }

  decrypt(payload: string, associatedData: string): string {
    const parts = payload.split(':');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('Unrecognised encrypted value');
    const [, keyId, ivText, tagText, ctText] = parts as [string, string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) throw new SecretBoxError(`The key ${keyId} that encrypted this value is not available`);
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('Malformed encrypted value');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(ctText, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('The encrypted value was altered or belongs to another record');
    }
  }

  keyIdOfPayload(payload: string): string | undefined {
    return payload.split(':')[1];
  }
}
