// Times as the person reading a page reads them: in their own time zone (the account setting, else the one
// their browser reported at sign-in, else UTC), with the exact UTC time on hover. Pages call `when(at)`.
import { DateTime } from 'luxon';
import { isTimeZone } from './zoned-time.js';

/** The zone a reader sees times in: her setting, else her browser's (stored in the session), else UTC. */
export function readerZone(setting: string | null | undefined, browser: string | null | undefined): string {
  if (setting && isTimeZone(setting)) return setting;
  if (browser && isTimeZone(browser)) return browser;
  return 'UTC';
}

/** `at` in UTC to the second, as the hover text shows it: "2026-12-01 20:33:25 UTC". */
export const utcText = (at: Date): string => `${at.toISOString().replace('T', ' ').slice(0, 19)} UTC`;

/** `at` in `zone`, to the second, with the zone's short name: "2026-12-01 21:33:25 CET". */
export function zonedText(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone: isTimeZone(zone) ? zone : 'UTC' }).toFormat('yyyy-LL-dd HH:mm:ss ZZZZ', {
    locale: 'en-GB',
  });
}

/**
 * A <time> element for `at` in `zone` with the UTC time as its title. Safe to print unescaped: it holds only
 * digits, the zone's abbreviation (from a validated IANA name) and fixed text.
 */
export function timeElement(at: Date, zone: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<time datetime="${at.toISOString()}" title="${esc(utcText(at))}">${esc(zonedText(at, zone))}</time>`;
}
