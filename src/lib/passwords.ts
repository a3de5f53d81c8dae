// Password hashing: bcrypt (cost 12) over base64(HMAC-SHA-384(pepper, password)). bcrypt reads only the first
// 72 bytes of its input, so hashing raw passwords would silently ignore the end of long passphrases (ASVS
// 6.2.8/6.2.9); the HMAC pre-hash is the OWASP Password Storage Cheat Sheet recipe (a keyed hash, so leaked
// pre-hashes from elsewhere cannot be "shucked"). The pepper lives in DATA_DIR/secrets, not in the database.
import { createHmac } from 'node:crypto';
import bcrypt from 'bcrypt';

export const BCRYPT_COST = 12;

/** The bcrypt functions the hasher uses; injectable so tests can count the expensive work (see sign-in timing). */
export interface BcryptEngine {
  hash(data: string, cost: number): Promise<string>;
  compare(data: string, hash: string): Promise<boolean>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends the same time as a real verification; used for unknown accounts so timing does not enumerate users. */
  verifyDummy(password: string): Promise<false>;
}

export function createPasswordHasher(pepper: Buffer, cost = BCRYPT_COST, engine: BcryptEngine = bcrypt): PasswordHasher {
  if (cost < BCRYPT_COST) throw new Error(`bcrypt cost must be at least ${BCRYPT_COST}`);
  const preHash = (password: string) =>
    createHmac('sha384', pepper).update(password.normalize('NFC'), 'utf8').digest('base64'); // 64 ASCII bytes < 72
  let dummyHash: Promise<string> | undefined;
  return {
    hash: (password) => engine.hash(preHash(password), cost),
    verify: async (password, hash) => {
      if (!hash.startsWith('$2')) return false;
      return engine.compare(preHash(password), hash);
    },
    verifyDummy: async (password) => {
      dummyHash ??= engine.hash('dummy-password-for-timing', cost);
      await engine.compare(preHash(password), await dummyHash);
      return false;
    },
  };
}
