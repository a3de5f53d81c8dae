// Rules for new row keys, and row references that survive URL normalisation.
import { describe, expect, it } from 'vitest';
import { newKeyProblem, similarKeys } from '../../src/features/tables/key-rules.js';
import { keyOfRef, refOfKey } from '../../src/features/tables/row-ref.js';

describe('newKeyProblem', () => {
  it.each([
    ['', /required/],
    ['.', /cannot be “\.”/],
    ['..', /cannot be “\.\.”/],
    [' a', /starts or ends with a space/],
    ['a\u00a0', /starts or ends with a space/],
    ['a\u0000b', /control character/],
    ['a\rb', /control character/],
    ['x'.repeat(257), /at most 256/],
  ])('refuses %j', (key, message) => {
    expect(newKeyProblem(key)).toMatch(message);
  });

  it.each(['...', 'a.b', 'two  words inside', '😀', 'a/b', '%'])('accepts %j', (key) => {
    expect(newKeyProblem(key)).toBeNull();
  });
});

describe('similarKeys', () => {
  it('finds keys differing only by case or runs of blanks, not the key itself', () => {
    expect(similarKeys('main  line', ['Main Line', 'main  line', 'Mainline', 'Other'])).toEqual(['Main Line']);
    expect(similarKeys('Ä', ['ä'])).toEqual(['ä']);
    expect(similarKeys('new', ['old'])).toEqual([]);
  });
});

describe('row references', () => {
  it.each(['.', '..', '', '~', '~Li4', 'plain', 'a/b', '😀'])('%j round-trips and is never a dot segment', (key) => {
    const ref = refOfKey(key);
    expect(keyOfRef(ref)).toBe(key);
    expect(['', '.', '..']).not.toContain(ref);
    expect(new URL(`/t/rows/${encodeURIComponent(ref)}/delete`, 'http://x').pathname).toBe(
      `/t/rows/${encodeURIComponent(ref)}/delete`,
    );
  });

  it('keeps ordinary keys as they are and refuses escaped references it could not have made', () => {
    expect(refOfKey('Main Line')).toBe('Main Line');
    expect(refOfKey('..')).toBe('~Li4');
    expect(keyOfRef('~Li4x')).toBeNull();
    expect(keyOfRef('~cGxhaW4')).toBeNull(); // "plain" is never escaped
  });
});
