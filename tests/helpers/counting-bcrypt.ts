// The real bcrypt, with a record of every comparison and the cost of the hash it compared against: tests
// assert "the same bcrypt work" by counting it, never by timing it.
import bcrypt from 'bcrypt';
import type { BcryptEngine } from '../../src/lib/passwords.js';

export function countingBcrypt() {
  const comparedCosts: number[] = [];
  const engine: BcryptEngine = {
    hash: (data, cost) => bcrypt.hash(data, cost),
    compare: (data, hash) => {
      comparedCosts.push(Number(/^\$2[aby]\$(\d\d)\$/.exec(hash)?.[1] ?? 0));
      return bcrypt.compare(data, hash);
    },
  };
  return {
    engine,
    /** Costs of the comparisons made since the last call (and forgets them). */
    take(): number[] {
      return comparedCosts.splice(0);
    },
  };
}
