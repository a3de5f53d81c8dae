// What the change-request forms send, read into plain values (the service checks everything again). Times come
// from <input type="datetime-local"> and mean that time in the org's zone (zoned-time.ts); a problem is named
// beside its field. The "Save as change request" buttons post the row, delete and bulk forms themselves, so
// their own fields carry the `r:` prefix and are taken out before the row form's parser (which refuses any
// field it does not know) reads the rest.
import { ValidationError } from '../../lib/errors.js';
import { parseLocalTime } from '../../lib/zoned-time.js';

export const REQUEST_FIELD_PREFIX = 'r:';
const MAX_TITLE = 200;
const MAX_TEXT = 2000;

type Body = Record<string, unknown>;
const bodyOf = (body: unknown): Body => (body ?? {}) as Body;
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Removes the request fields from a row/bulk form (in place), returning them without their prefix. */
export function takeRequestFields(body: unknown): Record<string, string> {
  const b = bodyOf(body);
  const fields: Record<string, string> = {};
  for (const k of Object.keys(b))
    if (k.startsWith(REQUEST_FIELD_PREFIX)) {
      fields[k.slice(REQUEST_FIELD_PREFIX.length)] = text(b[k]);
      delete b[k];
    }
  return fields;
}

export interface Schedule {
  applyAt: Date | null;
  revertAt: Date | null;
}

/** Apply at / revert at as typed in `zone` (empty: none). Errors name the field and the problem. */
export function readSchedule(fields: { applyAt?: unknown; revertAt?: unknown }, zone: string, prefix = ''): Schedule {
  const errors: Record<string, string> = {};
  const read = (name: 'applyAt' | 'revertAt', label: string): Date | null => {
    const raw = text(fields[name]).trim();
    if (!raw) return null;
    const parsed = parseLocalTime(raw, zone);
    if (parsed.ok) return parsed.at;
    errors[prefix + name] = `${label}: ${parsed.message}`;
    return null;
  };
  const schedule = { applyAt: read('applyAt', 'Apply at'), revertAt: read('revertAt', 'Revert at') };
  if (Object.keys(errors).length) throw new ValidationError(Object.values(errors).join(' '), errors);
  return schedule;
}

/** Where a "Save as change request" puts the change: a new draft with a title, or one of the author's drafts. */
export interface RequestTarget {
  title: string;
  addTo: string | null;
  /** Submit it at once (the form's "Submit for approval"), with this schedule. */
  submit: Schedule | null;
}

export function readRequestTarget(fields: Record<string, string>, zone: string): RequestTarget {
  const addTo = fields.addTo?.trim() || null;
  const title = (fields.title ?? '').trim();
  if (!addTo && !title)
    throw new ValidationError('Give the change request a title.', {
      'r:title': 'Give the change request a title (or add the change to one of your open requests).',
    });
  if (title.length > MAX_TITLE)
    throw new ValidationError(`The title may be at most ${MAX_TITLE} characters.`, {
      'r:title': `The title may be at most ${MAX_TITLE} characters.`,
    });
  const submit = fields.intent === 'submit' ? readSchedule(fields, zone, 'r:') : null;
  return { title, addTo, submit };
}

/** The request version the page showed (an approval counts only for that version: R1). */
export function readVersion(body: unknown): number {
  const v = Number(text(bodyOf(body).version));
  if (!Number.isSafeInteger(v) || v < 1)
    throw new ValidationError('The form did not say which version of the request it showed. Reload the page.');
  return v;
}

/** A comment or reason, trimmed; `required` names what is missing. */
export function readText(body: unknown, name: string, required: string | null): string {
  const value = text(bodyOf(body)[name]).trim();
  if (required && !value) throw new ValidationError(required, { [name]: required });
  if (value.length > MAX_TEXT)
    throw new ValidationError(`At most ${MAX_TEXT} characters, please.`, {
      [name]: `At most ${MAX_TEXT} characters, please.`,
    });
  return value;
}

export interface ValueEdit {
  rowId: number;
  /** Column -> the text the approver typed (typed by the table's schema in the service). */
  values: Record<string, string>;
}

/**
 * The values an approver changed on the review page: `edit:<row id>:<column>` beside `shown:<row id>:<column>`
 * (what the page showed); only those that differ are edits.
 */
export function readEdits(body: unknown): ValueEdit[] {
  const b = bodyOf(body);
  // Entries, not assignments: a column may be called `__proto__` (Object.fromEntries defines own properties).
  const byRow = new Map<number, [string, string][]>();
  for (const k of Object.keys(b)) {
    const m = /^edit:(\d{1,12}):(.+)$/s.exec(k);
    if (!m) continue;
    const [, row, column] = m as unknown as [string, string, string];
    const typed = b[k];
    const shownBefore = b[`shown:${row}:${column}`];
    if (typeof typed !== 'string' || typed === shownBefore) continue;
    byRow.set(Number(row), [...(byRow.get(Number(row)) ?? []), [column, typed]]);
  }
  return [...byRow].map(([rowId, entries]) => ({ rowId, values: Object.fromEntries(entries) }));
}
