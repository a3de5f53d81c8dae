// Password rules (ASVS 6.2, NIST 800-63B): at least 12 characters, up to 256, any characters, no composition
// rules, and common or context-derived passwords refused. The common list is zxcvbn-ts's 49k most-used
// passwords (MIT, shipped in node_modules), so it works offline. Last, a strength estimate (password-strength.ts)
// catches what the named rules do not: "12345678901234", "19871231abcdef", a common password plus a date.
import { dictionary } from '@zxcvbn-ts/language-common';
import { passwordStrengthProblem } from './password-strength.js';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  return common;
}

function isCommon(candidate: string): boolean {
  const lower = candidate.toLowerCase();
  if (commonPasswords().has(lower)) return true;
  // "password123456!", "qwerty2024!!": a common word with digits or punctuation tacked on.
  const stem = lower.replace(/[\d\W_]+$/u, '').replace(/^[\d\W_]+/u, '');
  return stem.length >= 4 && stem !== lower && commonPasswords().has(stem);
}

function isTrivialPattern(candidate: string): boolean {
  const chars = [...candidate];
  if (new Set(chars).size <= 2) return true; // "aaaaaaaaaaaa", "abababababab"
  const codes = chars.map((c) => c.codePointAt(0) ?? 0);
  const steps = new Set(codes.slice(1).map((c, i) => c - (codes[i] ?? 0)));
  return steps.size === 1 && [1, -1].includes([...steps][0] ?? 0); // "abcdefghijkl", "987654321098"-like runs
}

/** Returns a user-readable reason the password is refused, or null when it is acceptable. */
export function checkPasswordPolicy(
  password: string,
  context: { email?: string; displayName?: string } = {},
): string | null {
  const length = [...password].length; // characters, not UTF-16 units: an emoji counts once
  if (length < PASSWORD_MIN_LENGTH)
    return `Use at least ${PASSWORD_MIN_LENGTH} characters (a short phrase works well).`;
  if (length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  if (isCommon(password))
    return 'This password is one of the most commonly used passwords. Choose something less predictable.';
  if (isTrivialPattern(password))
    return 'This password is a simple repeated or sequential pattern. Choose something less predictable.';
  const lower = password.toLowerCase();
  const email = context.email?.toLowerCase() ?? '';
  const localPart = email.split('@')[0] ?? '';
  const name = context.displayName?.toLowerCase().replace(/\s+/g, '') ?? '';
  if (
    (email && lower.includes(email)) ||
    (localPart.length >= 4 && lower.replace(/[\d\W_]+/gu, '') === localPart.replace(/[\d\W_]+/gu, ''))
  ) {
    return 'The password must not be based on your email address.';
  }
  if (name.length >= 4 && lower.replace(/\s+/g, '') === name) return 'The password must not be your name.';
  return passwordStrengthProblem(password, [email, localPart, ...(context.displayName?.split(/\s+/) ?? [])]);
}
