// The audit pages' word-level diff: removed words in <del>, added ones in <ins>, everything escaped.
import { describe, expect, it } from 'vitest';
import { wordDiff } from '../../src/features/audit/word-diff.js';

describe('wordDiff', () => {
  it('marks the words that changed, on each side', () => {
    expect(wordDiff('Closed for the holiday', 'Open for the weekend')).toEqual({
      before: '<del>Closed</del> for the <del>holiday</del>',
      after: '<ins>Open</ins> for the <ins>weekend</ins>',
    });
  });

  it('shows an absent value as a dash and a whole new value as added', () => {
    expect(wordDiff(undefined, 'new')).toEqual({ before: '<span class="hint">—</span>', after: '<ins>new</ins>' });
    expect(wordDiff('same', 'same')).toEqual({ before: 'same', after: 'same' });
  });

  it('reads booleans as Yes/No and escapes markup in values', () => {
    expect(wordDiff(true, false)).toEqual({ before: '<del>Yes</del>', after: '<ins>No</ins>' });
    expect(wordDiff('<b>a</b>', '<i>"a"</i>').after).toBe('<ins>&lt;i&gt;&#34;a&#34;&lt;/i&gt;</ins>');
  });

  it('shows very long values as replaced rather than diffing them word by word', () => {
    const long = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
    const d = wordDiff(long, `${long} more`);
    expect(d.before).toBe(`<del>${long}</del>`);
  });
});
