// The real bcrypt, remembering its answers for the life of the test process. Test worlds create and sign in many
// users with the same password; even at the test apps' low cost (TEST_BCRYPT_COST) there is no need to repeat it.
// A remembered hash is still a real bcrypt hash of that input, and a remembered comparison is the answer
// bcrypt gave for exactly that input and hash, so no test sees an answer bcrypt would not give. Tests about
// bcrypt's work or timing pass their own engine (counting-bcrypt.ts), never this one.
import bcrypt from 'bcrypt';
import type { BcryptEngine } from '../../src/lib/passwords.js';

const hashes = new Map<string, Promise<string>>();
const comparisons = new Map<string, Promise<boolean>>();

export const memoBcrypt: BcryptEngine = {
  hash(data, cost) {
    const k = `${cost}\u0000${data}`;
    let h = hashes.get(k);
    if (!h) hashes.set(k, (h = bcrypt.hash(data, cost)));
    return h;
  },
  compare(data, hash) {
    const k = `${hash}\u0000${data}`;
    let c = comparisons.get(k);
    if (!c) comparisons.set(k, (c = bcrypt.compare(data, hash)));
    return c;
  },
};
