// Password hashing: bcrypt (cost 12) over base64(HMAC-SHA-384(pepper, password)). bcrypt reads only the first
// 72 bytes of its input, so hashing raw passwords would silently ignore the end of long passphrases (ASVS
// 6.2.8/6.2.9); the HMAC pre-hash is the OWASP Password Storage Cheat Sheet recipe (a keyed hash, so leaked
// pre-hashes from elsewhere cannot be "shucked"). The pepper lives in DATA_DIR/secrets, not in the database.
import { createHmac } from 'node:crypto';
import bcrypt from 'bcrypt';

export const BCRYPT_COST = 12;
/**
 * bcrypt's smallest cost, for test builds only: test worlds hash and check passwords hundreds of times, each a
 * quarter of a second of CPU at cost 12. Nothing in config or the environment can ask for it; see createServices.
 */
export const TEST_BCRYPT_COST = 4;

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

export interface PasswordHasherOptions {
  /** The cost of new hashes (default BCRYPT_COST); below it only in a test build. */
  cost?: number;
  engine?: BcryptEngine;
  /** Set by createServices only when NODE_ENV=test: lets `cost` go down to TEST_BCRYPT_COST. */
  testBuild?: boolean;
}

export function createPasswordHasher(pepper: Buffer, options: PasswordHasherOptions = {}): PasswordHasher {
  const { cost = BCRYPT_COST, engine = bcrypt, testBuild = false } = options;
  if (!Number.isInteger(cost) || cost > 31) throw new Error(`bcrypt cost must be a whole number up to 31, not ${cost}`);
  if (cost < BCRYPT_COST && !(testBuild && cost >= TEST_BCRYPT_COST)) {
    throw new Error(
      testBuild
        ? `bcrypt cost must be at least ${TEST_BCRYPT_COST}, even in a test build`
        : `bcrypt cost must be at least ${BCRYPT_COST}`,
    );
  }
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
