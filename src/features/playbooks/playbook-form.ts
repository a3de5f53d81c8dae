// The two forms of playbooks: an administrator's (name, description, duration, content) and a runner's (a
// reason and an optional end time). parseRunForm reads those two fields and nothing else, so whatever else a
// crafted POST carries (rows, values, tableId, duration) never reaches a run (R5).
import { z } from 'zod';
import { parseForm } from '../../lib/forms.js';

/** A year: a longer "temporary" change is a permanent one. */
export const MAX_DURATION_MINUTES = 525_600;

const text = (max: number, label: string) =>
  z
    .string({ error: `${label} must be text.` })
    .transform((s) => s.trim())
    .refine((s) => s.length <= max, `${label} may be at most ${max} characters.`);

const playbookForm = z.object({
  name: text(100, 'The name').refine((s) => s.length > 0, 'Give the playbook a name.'),
  description: text(500, 'The description').default(''),
  durationMinutes: z
    .string({ error: 'The duration must be a whole number of minutes.' })
    .trim()
    .default('')
    .refine((s) => s === '' || /^\d{1,6}$/.test(s), 'The duration must be a whole number of minutes, or empty.')
    .transform((s) => (s === '' ? null : Number(s)))
    .refine(
      (n) => n === null || (n >= 1 && n <= MAX_DURATION_MINUTES),
      `The duration must be from 1 to ${MAX_DURATION_MINUTES} minutes (a year), or empty for no end.`,
    ),
  content: z.string({ error: 'The content must be text.' }).default(''),
});
export type PlaybookForm = z.infer<typeof playbookForm>;

export const parsePlaybookForm = (body: unknown): PlaybookForm => parseForm(playbookForm, pick(body, FORM_FIELDS));

const runForm = z.object({
  reason: text(500, 'The reason').refine((s) => s.length > 0, 'Say why you run this playbook (kept in the audit log).'),
  endAt: z.string({ error: 'The end time must be a date and time.' }).trim().default(''),
});
export type RunForm = z.infer<typeof runForm>;

export const parseRunForm = (body: unknown): RunForm => parseForm(runForm, pick(body, ['reason', 'endAt']));

const FORM_FIELDS = ['name', 'description', 'durationMinutes', 'content'];

/** Only the named fields (absent ones left out, so defaults apply); everything else in the body is ignored. */
function pick(body: unknown, names: string[]): Record<string, unknown> {
  const b = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(names.filter((n) => Object.hasOwn(b, n) && b[n] !== undefined).map((n) => [n, b[n]]));
}
