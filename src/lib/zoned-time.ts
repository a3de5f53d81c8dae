// Times people type and read in an org's time zone (IANA names, e.g. Europe/Berlin), stored in UTC. A change
// scheduled for "Friday 18:00" means 18:00 where the contact centre is, whatever zone the server runs in, and
// across a daylight-saving change. Luxon does the zone arithmetic (Intl gives offsets, not local-to-UTC).
import { DateTime, IANAZone } from 'luxon';

/** What an <input type="datetime-local"> sends: 2026-12-24T18:00 (seconds optional). */
const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

export const isTimeZone = (zone: string): boolean => typeof zone === 'string' && IANAZone.isValidZone(zone);

/** Every IANA zone name this runtime knows (for the org form's list). */
export function timeZoneNames(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const names = intl.supportedValuesOf?.('timeZone') ?? [];
  return names.includes('UTC') ? names : ['UTC', ...names];
}

export type LocalTimeResult = { ok: true; at: Date } | { ok: false; message: string };

/**
 * The instant a local time in `zone` names. Refused, with a message naming the problem: a malformed value, a
 * date that does not exist (31 February), and a time the clocks skip (02:30 on the night they spring forward).
 * A time that happens twice (the hour the clocks fall back) is taken at its first occurrence, the earlier
 * instant, which is what people expect of "02:30 that night"; pages show the offset beside it.
 */
export function parseLocalTime(input: string, zone: string): LocalTimeResult {
  if (!isTimeZone(zone)) return { ok: false, message: `“${zone}” is not a time zone.` };
  const m = LOCAL_INPUT.exec(String(input ?? '').trim());
  if (!m) return { ok: false, message: 'Enter a date and time like 2026-12-24 18:00.' };
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as number[];
  const local = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone });
  if (!local.isValid) return { ok: false, message: `${input} is not a date and time that exists.` };
  // Luxon moves a skipped local time forward by the gap; a time that reads back differently never existed.
  if (local.hour !== hour || local.minute !== minute || local.day !== day)
    return {
      ok: false,
      message: `${input.replace('T', ' ')} does not exist in ${zone}: the clocks skip that hour. Choose a time outside it.`,
    };
  // Of two instants with this local time (clocks falling back), the earlier: an hour before reads the same.
  const hourBefore = local.minus({ hours: 1 });
  const first = hourBefore.hour === hour && hourBefore.minute === minute && hourBefore.day === day ? hourBefore : local;
  return { ok: true, at: new Date(first.toMillis()) };
}

/** The value an <input type="datetime-local"> shows for `at` in `zone` (minutes). */
export function toLocalInput(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone: isTimeZone(zone) ? zone : 'UTC' }).toFormat("yyyy-LL-dd'T'HH:mm");
}

/** `at` as people read it in `zone`: "Fri 24 Dec 2026, 18:00 (CET, UTC+01:00)". */
export function formatInZone(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone: isTimeZone(zone) ? zone : 'UTC' }).toFormat(
    "ccc d LLL yyyy, HH:mm '('ZZZZ', UTC'ZZ')'",
    { locale: 'en-GB' },
  );
}

/** The local calendar day of `at` in `zone`, as yyyy-mm-dd (for grouping by day). */
export function localDay(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone: isTimeZone(zone) ? zone : 'UTC' }).toISODate()!;
}

/** The instant a local day starts in `zone` (midnight, or the first time that exists that day). */
export function startOfLocalDay(day: string, zone: string): Date {
  return DateTime.fromISO(day, { zone: isTimeZone(zone) ? zone : 'UTC' })
    .startOf('day')
    .toJSDate();
}
