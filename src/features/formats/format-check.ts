// The one validator and canonicaliser of column formats (format-types.ts). Every path by which a value enters
// a formatted column (row form, grid, bulk, paste, restore, undo, import, change requests) reaches it through
// the change engine (format-enforcement.ts); pages and the import dry run call it too, so the same mistake gets
// the same message wherever it is made. Pure: no clock, no time zone, no locale.
//
// What is accepted (and stored, as text):
//   date       2026-01-05, 2026-1-5, 2026/01/05, 2026.1.5 (year first only: 05/01/2026 is ambiguous) → 2026-01-05
//   time       8:30, 08:30 (24-hour)                                                                  → 08:30
//   datetime   a date and a time separated by "T" or spaces                                          → 2026-01-05T08:30
//   timerange  08:00-17:30 (also with spaces or an en dash); the start before the end                 → 08:00-17:30
//   list       one of the values, exactly or in another case                                     → the list's spelling
//   pattern    the whole value matches the administrator's regular expression                     → as typed (trimmed)
//   range      a number within min..max (a string column holding numbers too)                      → the number's text
//   phone      E.164 after removing spaces, dashes, dots and parentheses; a leading 00 is read as +  → +14155550100
//   email      one address, local@domain.tld                                               → the domain in lower case
// Blanks around a value are dropped. An empty value means "no value" and is allowed, except in the key column
// (`required`), where Genesys needs one.
import type { ColumnFormatSpec, FormatCheck } from './format-types.js';

/** Values longer than this are refused before a pattern sees them (bounds the work of any regular expression). */
export const MAX_CHECKED_LENGTH = 1000;

const DATE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
const TIME = /^(\d{1,2}):(\d{2})$/;
const DATETIME = /^(\S+?)(?:T|\s+)(\S+)$/;
const TIMERANGE = /^(\S+?)\s*[-–]\s*(\S+)$/;
const PHONE = /^\+[1-9]\d{1,14}$/;
const PHONE_NOISE = /[\s\-.()\u00a0]/g;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

const pad = (n: number) => String(n).padStart(2, '0');

/** How a typed value is quoted in a message: whole when short, else its start. */
export function quoted(raw: string): string {
  const chars = [...raw];
  return `“${chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : raw}”`;
}

type Part = { ok: true; value: string } | { ok: false; calendar?: boolean };

function datePart(text: string): Part {
  const m = DATE.exec(text);
  if (!m) return { ok: false };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Date.UTC rolls 2026-02-30 over into March: a day that does not come back unchanged does not exist.
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (mo < 1 || mo > 12 || d < 1 || t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d)
    return { ok: false, calendar: true };
  return { ok: true, value: `${m[1]}-${pad(mo)}-${pad(d)}` };
}

function timePart(text: string): Part {
  const m = TIME.exec(text);
  if (!m) return { ok: false };
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (h > 23 || min > 59) return { ok: false, calendar: true };
  return { ok: true, value: `${pad(h)}:${pad(min)}` };
}

// Compiled patterns, by source: a bulk change or an import checks thousands of values against the same one.
const compiled = new Map<string, RegExp | null>();

/**
 * Whether a group holding a repetition or an alternation is itself repeated ((a+)+, (a|ab)*, ((a)*)+): the
 * shapes whose backtracking grows exponentially with the value's length. Conservative on purpose: JavaScript
 * cannot stop a regular expression once it runs, so a pattern that might is refused when it is saved.
 */
function repeatsRiskyGroup(p: string): boolean {
  const groups: boolean[] = []; // per open group: holds a repetition or a choice
  let closedRisky = false; // the group just closed holds one (a quantifier right after it repeats it)
  for (let i = 0; i < p.length;) {
    const ch = p[i]!;
    if (ch === '\\') {
      i += 2;
      closedRisky = false;
    } else if (ch === '[') {
      for (i++; i < p.length && p[i] !== ']'; i++) if (p[i] === '\\') i++;
      i++;
      closedRisky = false;
    } else if (ch === '(') {
      groups.push(false);
      i++;
      closedRisky = false;
    } else if (ch === ')') {
      closedRisky = groups.pop() ?? false;
      if (closedRisky && groups.length) groups[groups.length - 1] = true;
      i++;
    } else if (ch === '|') {
      if (groups.length) groups[groups.length - 1] = true;
      i++;
      closedRisky = false;
    } else {
      const q = /^(?:[*+]|\{(\d+)(,\d*)?\})/.exec(p.slice(i, i + 24));
      if (q && (q[0] === '*' || q[0] === '+' || q[2] !== undefined || Number(q[1]) > 1)) {
        if (closedRisky) return true;
        if (groups.length) groups[groups.length - 1] = true;
      }
      i += q ? q[0].length : 1;
      closedRisky = false;
    }
  }
  return false;
}

/** Patterns an administrator may not give: their matching time can grow exponentially with the value's length. */
export function patternProblem(pattern: string): string | null {
  if ([...pattern].length > 200) return 'The pattern may be at most 200 characters.';
  if (repeatsRiskyGroup(pattern))
    return 'The pattern repeats a group that holds a repetition or a choice (like (a+)+ or (a|ab)*): such patterns can take very long to check. Use a character class such as [ab]+, or the list format.';
  if (/\\[1-9]|\\k</.test(pattern)) return 'The pattern may not refer back to a group (\\1, \\k<…>).';
  try {
    new RegExp(`^(?:${pattern})$`, 'u');
  } catch (err) {
    return `The pattern is not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}.`;
  }
  return null;
}

/** The pattern anchored to the whole value, or null when it may not be used (then every value is refused). */
function anchored(pattern: string): RegExp | null {
  if (!compiled.has(pattern)) {
    if (compiled.size > 500) compiled.clear();
    compiled.set(pattern, patternProblem(pattern) ? null : new RegExp(`^(?:${pattern})$`, 'u'));
  }
  return compiled.get(pattern)!;
}

/** A number as a range's bound is shown. */
const bound = (n: number) => String(n);

function rangeWords(min: number | null, max: number | null): string {
  if (min !== null && max !== null) return `a number from ${bound(min)} to ${bound(max)}`;
  if (min !== null) return `a number of at least ${bound(min)}`;
  if (max !== null) return `a number of at most ${bound(max)}`;
  return 'a number';
}

const LIST_SHOWN = 10;
function listWords(values: string[]): string {
  const shown = values.slice(0, LIST_SHOWN).join(', ');
  return values.length > LIST_SHOWN ? `${shown}, … (${values.length} values)` : shown;
}

function email(text: string): string | null {
  if (text.length > 254) return null;
  const at = text.lastIndexOf('@');
  if (at < 1 || text.indexOf('@') !== at) return null;
  const local = text.slice(0, at);
  const labels = text.slice(at + 1).split('.');
  if (local.length > 64 || !EMAIL_LOCAL.test(local)) return null;
  if (labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l)) || !/^[A-Za-z]{2,63}$/.test(labels.at(-1)!))
    return null;
  return `${local}@${labels.join('.').toLowerCase()}`;
}

/**
 * Checks one value typed for a column with format `spec`: its canonical text, or the message for the mistake
 * (starting with `label`, the column's title). `required`: the column is the key, which cannot be empty.
 */
export function checkFormat(
  spec: ColumnFormatSpec,
  raw: string,
  label: string,
  opts: { required?: boolean } = {},
): FormatCheck {
  const text = raw.trim();
  if (text === '') return opts.required ? { ok: false, message: `${label} needs a value.` } : { ok: true, value: '' };
  const ok = (value: string): FormatCheck => ({ ok: true, value });
  const no = (message: string): FormatCheck => ({ ok: false, message });
  const isNot = `${quoted(text)} is not`;
  if ([...text].length > MAX_CHECKED_LENGTH)
    return no(`${label} is too long to be ${describeFormat(spec)} (at most ${MAX_CHECKED_LENGTH} characters).`);
  switch (spec.kind) {
    case 'date': {
      const d = datePart(text);
      if (d.ok) return ok(d.value);
      return no(
        d.calendar
          ? `${label}: ${quoted(text)} is not a day of the calendar.`
          : `${label} must be a date, year-month-day like 2026-12-31; ${isNot}.`,
      );
    }
    case 'time': {
      const t = timePart(text);
      if (t.ok) return ok(t.value);
      return no(`${label} must be a time of day, HH:MM on the 24-hour clock like 17:30; ${isNot}.`);
    }
    case 'datetime': {
      const m = DATETIME.exec(text);
      const d = m ? datePart(m[1]!) : null;
      const t = m ? timePart(m[2]!) : null;
      if (d?.ok && t?.ok) return ok(`${d.value}T${t.value}`);
      if (d && !d.ok && d.calendar) return no(`${label}: ${quoted(m![1]!)} is not a day of the calendar.`);
      return no(`${label} must be a date and time, like 2026-12-31 17:30; ${isNot}.`);
    }
    case 'timerange': {
      const m = TIMERANGE.exec(text);
      const a = m ? timePart(m[1]!) : null;
      const b = m ? timePart(m[2]!) : null;
      if (!a?.ok || !b?.ok)
        return no(`${label} must be a time range, HH:MM-HH:MM on the 24-hour clock like 08:00-17:30; ${isNot}.`);
      if (a.value >= b.value) return no(`${label}: the start (${a.value}) must be before the end (${b.value}).`);
      return ok(`${a.value}-${b.value}`);
    }
    case 'list': {
      if (spec.values.includes(text)) return ok(text);
      const folded = text.toLocaleLowerCase('en');
      const same = spec.values.filter((v) => v.toLocaleLowerCase('en') === folded);
      if (same.length === 1) return ok(same[0]!);
      return no(`${label} must be one of: ${listWords(spec.values)}; ${isNot}.`);
    }
    case 'pattern': {
      const re = anchored(spec.pattern);
      if (!re) return no(`${label} cannot be checked: its pattern is not usable. Ask an administrator to fix it.`);
      return re.test(text) ? ok(text) : no(`${label}: ${spec.message} (${isNot}).`);
    }
    case 'range': {
      const n = NUMBER.test(text) ? Number(text) : Number.NaN;
      const inside = Number.isFinite(n) && (spec.min === null || n >= spec.min) && (spec.max === null || n <= spec.max);
      return inside ? ok(String(n)) : no(`${label} must be ${rangeWords(spec.min, spec.max)}; ${isNot}.`);
    }
    case 'phone': {
      const digits = text.replace(PHONE_NOISE, '').replace(/^00/, '+');
      return PHONE.test(digits)
        ? ok(digits)
        : no(`${label} must be a phone number in international form, like +14155550100; ${isNot}.`);
    }
    case 'email': {
      const address = email(text);
      return address ? ok(address) : no(`${label} must be one e-mail address, like name@example.com; ${isNot}.`);
    }
  }
}

/** A short hint of what a format accepts, for headers, forms and the formats page. */
export function describeFormat(spec: ColumnFormatSpec): string {
  switch (spec.kind) {
    case 'date':
      return 'a date, YYYY-MM-DD';
    case 'time':
      return 'a time, HH:MM (24-hour)';
    case 'datetime':
      return 'a date and time, YYYY-MM-DD HH:MM';
    case 'timerange':
      return 'a time range, HH:MM-HH:MM';
    case 'list':
      return `one of: ${listWords(spec.values)}`;
    case 'pattern':
      return spec.message;
    case 'range':
      return rangeWords(spec.min, spec.max);
    case 'phone':
      return 'a phone number, like +14155550100';
    case 'email':
      return 'an e-mail address';
  }
}

/** What the row form and the table page show of a table's formats: each formatted column's spec and hint. */
export function formatHints(
  formats: ReadonlyMap<string, ColumnFormatSpec>,
): Record<string, { spec: ColumnFormatSpec; hint: string }> {
  return Object.fromEntries([...formats].map(([column, spec]) => [column, { spec, hint: describeFormat(spec) }]));
}
