// Word-level differences between a value before and after a change, for the audit pages: the before side
// marks removed words with <del>, the after side added words with <ins> (the elements say it to screen
// readers and in print, the colours only help). Values are escaped here; the result is HTML to print as is.

import { escapeHtml } from '../tables/grid-html.js';

type Part = { kind: 'same' | 'del' | 'ins'; text: string };

/** Beyond this many token pairs the values are shown as wholly replaced (the diff is quadratic). */
const MAX_CELLS = 40_000;

/** Words and the spaces between them, each a token (so spacing changes show too). */
const tokens = (s: string) => s.split(/(\s+)/).filter((t) => t !== '');

/** The longest common subsequence of two token lists, as parts in order. */
function diffTokens(a: string[], b: string[]): Part[] {
  if (a.length * b.length > MAX_CELLS)
    return [
      ...(a.length ? [{ kind: 'del' as const, text: a.join('') }] : []),
      ...(b.length ? [{ kind: 'ins' as const, text: b.join('') }] : []),
    ];
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const parts: Part[] = [];
  const push = (kind: Part['kind'], text: string) => {
    const last = parts.at(-1);
    if (last && last.kind === kind) last.text += text;
    else parts.push({ kind, text });
  };
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      push('same', a[i]!);
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) push('del', a[i++]!);
    else push('ins', b[j++]!);
  }
  while (i < a.length) push('del', a[i++]!);
  while (j < b.length) push('ins', b[j++]!);
  // A space between two changed words belongs to the change: "<del>Storm warning</del>", not two marks.
  return parts.flatMap((p, k): Part[] =>
    p.kind === 'same' && /^\s+$/.test(p.text) && k > 0 && k < parts.length - 1 && parts[k + 1]!.kind !== 'same'
      ? [
          { kind: 'del', text: p.text },
          { kind: 'ins', text: p.text },
        ]
      : [p],
  );
}

/** How a stored value reads in a diff (absent: a dash). */
export const valueText = (v: unknown): string | null =>
  v === undefined || v === null ? null : typeof v === 'boolean' ? (v ? 'Yes' : 'No') : String(v);

/**
 * The before and after cells of one column, as HTML: unchanged words plain, removed ones in <del> on the
 * before side, added ones in <ins> on the after side; an absent value is a dash.
 */
export function wordDiff(before: unknown, after: unknown): { before: string; after: string } {
  const a = valueText(before);
  const b = valueText(after);
  const dash = '<span class="hint">—</span>';
  if (a === b) return { before: a === null ? dash : escapeHtml(a), after: b === null ? dash : escapeHtml(b) };
  const parts = diffTokens(tokens(a ?? ''), tokens(b ?? ''));
  const side = (drop: Part['kind'], mark: Part['kind'], tag: string) => {
    const kept: Part[] = [];
    for (const p of parts.filter((q) => q.kind !== drop)) {
      const last = kept.at(-1);
      if (last && last.kind === p.kind) last.text += p.text;
      else kept.push({ ...p });
    }
    return kept.map((p) => (p.kind === mark ? `<${tag}>${escapeHtml(p.text)}</${tag}>` : escapeHtml(p.text))).join('');
  };
  return {
    before: a === null ? dash : side('ins', 'del', 'del'),
    after: b === null ? dash : side('del', 'ins', 'ins'),
  };
}
