// One-time setup token. On loopback only people on this machine can reach the wizard, so the first visitor
// may become the administrator (the long-standing behaviour). On any other address the first visitor could
// be anyone on the network: the wizard then asks for a token that only whoever started the server can see,
// because it is printed on the server's console (see docs/adr/005-setup-token-on-the-console.md). The token
// lives in memory, is new at every start, and is spent when the administrator is created.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** Whether HOST only accepts connections from this machine: localhost, 127.0.0.0/8, ::1 (also IPv4-mapped). */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  if (isIP(v4) === 4) return v4.split('.')[0] === '127';
  return isIP(h) === 6 && /^(0{0,4}:){2,7}0{0,3}1$/.test(h); // ::1 in any spelling
}

export interface SetupToken {
  /** The token to print, or null once it has been spent. */
  readonly value: string | null;
  matches(candidate: unknown): boolean;
  spend(): void;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function createSetupToken(): SetupToken {
  let value: string | null = randomBytes(18).toString('base64url'); // 144 bits: not worth guessing online
  return {
    get value() {
      return value;
    },
    matches(candidate) {
      if (value === null || typeof candidate !== 'string') return false;
      return timingSafeEqual(digest(candidate.trim()), digest(value)); // equal-length digests: no length leak
    },
    spend() {
      value = null;
    },
  };
}
