// What the owner of an account is told at sign-in about wrong passwords tried on it since the last one.
import type { FailedSignInReport } from './sign-in-address-repository.js';

/** The sentence shown to the owner at sign-in. Times in UTC, like the rest of the app's timestamps. */
export function describeFailedSignIns(r: FailedSignInReport): string {
  const when = `${r.lastAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const others = r.addressCount - r.ips.length;
  const from = r.ips.join(', ') + (others > 0 ? ` and ${others} other address${others > 1 ? 'es' : ''}` : '');
  const attempts = r.count === 1 ? '1 sign-in attempt' : `${r.count} sign-in attempts`;
  return `Since your last sign-in there ${r.count === 1 ? 'was' : 'were'} ${attempts} with a wrong password on your account, the last at ${when}, from ${from}. If that was not you, change your password.`;
}
