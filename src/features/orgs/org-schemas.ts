// The org form: display name, region (from the SDK's list only), OAuth client id and secret, a badge and
// colour so nobody confuses Prod with Dev, read-only, the request budget, and how changes are planned: the
// time zone schedules are entered and shown in, whether changes need approval, and when a late one waits.
import { z } from 'zod';
import { isRegionKey } from '../../genesys/regions.js';
import { isTimeZone } from '../../lib/zoned-time.js';
import { MAX_APPROVALS } from '../requests/request-types.js';

export const ORG_COLORS = ['blue', 'green', 'orange', 'red', 'purple', 'grey'] as const;
export type OrgColor = (typeof ORG_COLORS)[number];

/** An HTML checkbox: present ("on") when ticked, absent otherwise. */
const checkbox = z
  .enum(['on', 'true', '1'], { error: 'Tick the box or leave it empty.' })
  .optional()
  .transform((v) => v !== undefined);

/** A whole number from `min` to `max`, typed in a form field; the message says what is allowed. */
const wholeNumber = (fallback: string, min: number, max: number, message: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max, message)
    .transform(Number);

/** An IANA zone name, stored as the runtime spells it (europe/berlin is Europe/Berlin). */
const timeZone = z
  .string()
  .trim()
  .max(100, 'The time zone must be at most 100 characters.')
  .default('UTC')
  .refine((v) => v !== '', 'Choose a time zone, e.g. Europe/London (UTC if unsure).')
  .superRefine((v, ctx) => {
    if (v !== '' && !isTimeZone(v))
      ctx.addIssue({
        code: 'custom',
        message: `“${v}” is not a time zone: choose one of the listed names, e.g. Europe/London.`,
      });
  })
  .transform((v) => new Intl.DateTimeFormat('en', { timeZone: v }).resolvedOptions().timeZone);

const planningFields = {
  timeZone,
  changePolicy: z
    .enum(['direct', 'approval'], { error: 'Choose whether changes apply at once or need approval.' })
    .default('direct'),
  approvalsNeeded: wholeNumber(
    '1',
    1,
    MAX_APPROVALS,
    `Approvals needed must be a whole number from 1 to ${MAX_APPROVALS}.`,
  ),
  lateAfterMinutes: wholeNumber('15', 1, 1440, 'Late after must be a whole number of minutes from 1 to 1440 (a day).'),
};

const baseFields = {
  name: z
    .string({ error: 'Name is required.' })
    .trim()
    .min(1, 'Name is required.')
    .max(100, 'Name must be at most 100 characters.'),
  label: z
    .string()
    .trim()
    .max(12, 'The badge must be at most 12 characters.')
    .refine((v) => /^[\p{L}\p{N} _-]*$/u.test(v), 'The badge may contain letters, digits, spaces, - and _ only.')
    .default(''),
  color: z.enum(ORG_COLORS, { error: 'Choose one of the listed colours.' }).default('blue'),
  readOnly: checkbox,
  requireReason: checkbox,
  backupSchedule: z.enum(['off', 'daily'], { error: 'Choose off or daily.' }).default('off'),
  backupKeep: z
    .string()
    .trim()
    .default('7')
    .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 365, 'Keep between 1 and 365 scheduled backups.')
    .transform(Number),
  requestsPerMinute: z
    .string()
    .trim()
    .default('300')
    .refine(
      (v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 10_000,
      'Requests per minute must be a whole number from 1 to 10000.',
    )
    .transform(Number),
  ...planningFields,
};

const region = z
  .string({ error: 'Choose a region.' })
  .refine(isRegionKey, 'Choose one of the listed Genesys Cloud regions.');
const clientId = z
  .string({ error: 'Client id is required.' })
  .trim()
  .min(1, 'Client id is required.')
  .max(200, 'Client id must be at most 200 characters.');

export const newOrgSchema = z.object({
  ...baseFields,
  region,
  clientId,
  clientSecret: z
    .string({ error: 'Client secret is required.' })
    .min(1, 'Client secret is required.')
    .max(500, 'Client secret must be at most 500 characters.'),
});

/** On edit a blank secret means "unchanged". */
export const editOrgSchema = z.object({
  ...baseFields,
  region,
  /** Blank keeps the stored client id (the form shows it masked). */
  clientId: z.string().trim().max(200, 'Client id must be at most 200 characters.').default(''),
  clientSecret: z.string().max(500, 'Client secret must be at most 500 characters.').default(''),
});

/** What may change on the sandbox org: its credentials and region belong to the emulator. */
export const editSandboxSchema = z.object(baseFields);

export type NewOrgInput = z.infer<typeof newOrgSchema>;
export type EditOrgInput = z.infer<typeof editOrgSchema>;
