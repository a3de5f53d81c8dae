// Password strength estimate (zxcvbn-ts): how many guesses an attacker who knows the usual tricks (common
// passwords, keyboard walks, sequences, repeats, dates, the user's own name) would need. It sits beside the
// length rule in password-policy.ts: "12345678901234" is long enough but falls in a few thousand guesses.
// The feedback names the patterns found, in our own words: zxcvbn's own messages need a language pack, and
// we never echo parts of the password back into the page.
import { ZxcvbnFactory, type MatchEstimated } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

/**
 * zxcvbn score 3 = at least 10^8 guesses: "safely unguessable" for an online attacker and a fair margin
 * against an offline one with our bcrypt cost (OWASP ASVS 6.2.12 asks for a strength check like this).
 */
export const MIN_STRENGTH_SCORE = 3;

let factory: ZxcvbnFactory | undefined;
function estimator(): ZxcvbnFactory {
  // Built on first use: loading the dictionaries takes a moment and most requests never set a password.
  factory ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  return factory;
}

function describe(match: MatchEstimated): string | null {
  switch (match.pattern) {
    case 'dictionary':
      if (match.dictionaryName === 'userInputs') return 'your email address or name';
      if (match.l33t) return 'a common word with letters swapped for look-alike symbols';
      if (match.reversed) return 'a common word spelled backwards';
      return match.dictionaryName === 'passwords' || match.dictionaryName === 'passwords-common'
        ? 'a commonly used password'
        : 'a common word';
    case 'sequence':
      return /^\d+$/.test(match.token)
        ? 'a sequence of digits'
        : /^\p{L}+$/u.test(match.token)
          ? 'a sequence of letters'
          : 'a sequence of characters';
    case 'repeat':
      return 'a repeated pattern';
    case 'spatial':
      return 'a pattern of neighbouring keys on the keyboard';
    case 'date':
      return 'a date';
    case 'regex':
      return match.regexName === 'recentYear' ? 'a recent year' : 'a predictable pattern';
    default:
      return null; // bruteforce and separators: the parts that are not guessable by pattern
  }
}

/** Why the password is too easy to guess, or null when it is strong enough. */
export function passwordStrengthProblem(password: string, userInputs: string[] = []): string | null {
  const result = estimator().check(password, userInputs.filter(Boolean));
  if (result.score >= MIN_STRENGTH_SCORE) return null;
  const parts = [
    ...new Set((result.sequence as MatchEstimated[]).map(describe).filter((d): d is string => d !== null)),
  ];
  const made = parts.length
    ? `: it is made of ${parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0]}`
    : '';
  return `This password is too easy to guess${made}. Add a few more uncommon words.`;
}
