// What a new row key may be. Keys cannot be renamed in Genesys, and some cannot even be addressed: `.` and
// `..` are URL dot segments (docs/adr/004-dot-segment-row-keys.md); spaces at either end and control
// characters are invisible in Architect and in every list, so such a key is nearly always a typing mistake
// that a flow's lookup will then never match. Keys that already exist are left alone (restore, undo).
import { isUnaddressableSegment } from '../../genesys/path-segments.js';
import { ValidationError } from '../../lib/errors.js';

export const MAX_KEY_LENGTH = 256;

/** Why `key` cannot be a new key, or null when it can. */
export function newKeyProblem(key: string): string | null {
  if (key === '') return 'The key is required.';
  if (isUnaddressableSegment(key))
    return `A key cannot be “${key}”: Genesys Cloud addresses rows by key in a URL, where “${key}” means a different place.`;
  if (/^\s|\s$/u.test(key))
    return 'The key starts or ends with a space (or another blank character). Remove it: a flow looking the key up would not find it.';
  if (/\p{Cc}/u.test(key))
    return 'The key contains a control character (such as a tab or a line break), which cannot be seen or typed in a flow. Remove it.';
  if ([...key].length > MAX_KEY_LENGTH) return `The key may be at most ${MAX_KEY_LENGTH} characters.`;
  return null;
}

/**
 * Why a row keyed `.` or `..` can be read but not changed or deleted here (ADR 004): pages say this instead of
 * offering buttons that would end in a refusal. `keyVisible` false: the key itself is not named.
 */
export function fixedKeyNote(key: string, keyVisible: boolean): string {
  const named = keyVisible ? `This row’s key is “${key}”. ` : 'This row’s key is a dot segment. ';
  return `${named}Genesys Cloud addresses a row by its key in a URL, and URLs read ${keyVisible ? `“${key}”` : 'such a key'} as a different place (the list of rows or the table itself), so this app cannot change, rename or delete the row. Change it in Architect if you must.`;
}

/** Case and runs of blanks folded, so "Main  line" and "main line" look the same. */
const foldKey = (key: string) => key.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();

/** Existing keys that differ from `key` only by case or spacing (not the key itself). */
export function similarKeys(key: string, existing: Iterable<string>): string[] {
  const folded = foldKey(key);
  return [...existing].filter((k) => k !== key && foldKey(k) === folded);
}

/** The form field by which a user confirms a key that looks like an existing one; it carries that exact key. */
export const CONFIRM_KEY_FIELD = 'confirmKey';

/** A new key looks like an existing one: shown as a warning on the form, with a box to add it anyway. */
export class SimilarKeyError extends ValidationError {
  constructor(
    readonly key: string,
    readonly similar: string[],
    field: string,
  ) {
    const named = similar
      .slice(0, 3)
      .map((k) => `“${k}”`)
      .join(', ');
    const message = `This table already has ${named}, which differs from “${key}” only in upper/lower case or spacing. A flow looking up one may expect the other. Check the key; to use it anyway, tick “Yes, use this key” and save again.`;
    super(message, { [field]: message });
    this.name = 'SimilarKeyError';
  }
}

/** Whether a submitted form confirmed this very key (a changed key has to be confirmed again). */
export const keyConfirmed = (body: unknown, key: string) =>
  ((body ?? {}) as Record<string, unknown>)[CONFIRM_KEY_FIELD] === key;

/** Refuses a new key resembling an existing one unless the user confirmed it. */
export function assertDistinctKey(key: string, existing: Iterable<string>, confirmed: boolean, field: string): void {
  const similar = similarKeys(key, existing);
  if (similar.length && !confirmed) throw new SimilarKeyError(key, similar, field);
}
