// K1: AES-256-GCM correctness: round trip, tamper detection, AAD binding, unique IVs, key rotation.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf, SecretBox, SecretBoxError } from '../../src/lib/secret-box.js';

const key = randomBytes(32);
const box = new SecretBox(key);

function flip(payload: string, part: number): string {
  const parts = payload.split(':');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0]! ^= 1;
  parts[part] = bytes.toString('base64url');
  return parts.join(':');
}

describe('SecretBox', () => {
  it('round-trips and names the key that encrypted', () => {
    const payload = box.encrypt('SEC-CANARY-value', 'genesys-org:1:clientSecret');
    expect(payload).toMatch(/^v1:[0-9a-f]{12}:[\w-]{16}:[\w-]{22}:[\w-]+$/);
    expect(payload).not.toContain('SEC-CANARY');
    expect(box.keyIdOfPayload(payload)).toBe(keyIdOf(key));
    expect(box.decrypt(payload, 'genesys-org:1:clientSecret')).toBe('SEC-CANARY-value');
  });

  it('detects a flipped bit in the IV, tag or ciphertext', () => {
    const payload = box.encrypt('secret', 'aad');
    for (const part of [2, 3, 4]) expect(() => box.decrypt(flip(payload, part), 'aad')).toThrow(SecretBoxError);
  });

  it('refuses a ciphertext moved to another org (associated data mismatch)', () => {
    const payload = box.encrypt('secret', 'genesys-org:A:clientSecret');
    expect(() => box.decrypt(payload, 'genesys-org:B:clientSecret')).toThrow(/altered or belongs to another record/);
  });

  it('uses a fresh random IV every time (10,000 encryptions)', () => {
    const ivs = new Set(Array.from({ length: 10_000 }, () => box.encrypt('x', 'aad').split(':')[2]));
    expect(ivs.size).toBe(10_000);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('after rotation, decrypts old ciphertexts with the retired key and encrypts with the new one', () => {
    const old = box.encrypt('secret', 'aad');
    const rotated = new SecretBox(randomBytes(32), [key]);
    expect(rotated.decrypt(old, 'aad')).toBe('secret');
    const fresh = rotated.encrypt('secret', 'aad');
    expect(rotated.keyIdOfPayload(fresh)).toBe(rotated.currentKeyId);
    expect(rotated.currentKeyId).not.toBe(keyIdOf(key));
    expect(() => new SecretBox(randomBytes(32)).decrypt(old, 'aad')).toThrow(/not available/);
  });
});
