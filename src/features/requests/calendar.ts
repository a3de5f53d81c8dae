// The calendar of planned changes (issue 15): an org's upcoming applies and reverts, by week (a grid of seven
// days) and by day (a list), in the org's time zone. Days split at local midnight, so a week with a daylight
// saving change is 167 or 169 hours long and an 01:30 revert lands on the day the clocks there show. Pure:
// the items come from calendar-service.ts (only what the viewer may see); this builds what the page shows.
import { DateTime } from 'luxon';
import { isTimeZone, startOfLocalDay } from '../../lib/zoned-time.js';
import type { RequestStatus } from './request-types.js';

export type CalendarView = 'week' | 'day';

/** One scheduled step of one request: its apply or its revert. */
export interface CalendarItem {
  requestId: string;
  title: string;
  status: RequestStatus;
  step: 'apply' | 'revert';
  at: Date;
  /** The tables it writes, as the viewer may name them. */
  tables: string[];
}

/**
 * The status one step of a request shows: an apply that has run is "applied" whatever happens to the request
 * later (a revert held for a person must not make the finished apply read as held); a step still to come shows
 * the request's status.
 */
export function stepStatus(
  req: { status: RequestStatus; appliedAt: Date | null },
  step: 'apply' | 'revert',
): RequestStatus {
  return step === 'apply' && req.appliedAt ? 'applied' : req.status;
}

export interface CalendarEntry extends CalendarItem {
  /** Local time of day, 24-hour ("18:00"), and the zone's offset then ("UTC+01:00"). */
  time: string;
  offset: string;
}

export interface CalendarDay {
  /** yyyy-mm-dd in the org's zone. */
  date: string;
  /** "Mon 29 Mar". */
  label: string;
  isToday: boolean;
  entries: CalendarEntry[];
}

export interface CalendarPage {
  view: CalendarView;
  zone: string;
  /** The first instant shown and the first one after (what to ask the repository for). */
  from: Date;
  to: Date;
  /** "29 Mar - 4 Apr 2027" or "Sun 28 Mar 2027". */
  title: string;
  days: CalendarDay[];
  /** The anchor day of the previous and next page, and of today. */
  prev: string;
  next: string;
  today: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The view a query asks for: week unless it says day. */
export const calendarView = (value: unknown): CalendarView => (value === 'day' ? 'day' : 'week');

/** A yyyy-mm-dd day the query names, if it names a real one; else null (the page shows today). */
export function calendarDay(value: unknown, zone: string): string | null {
  if (typeof value !== 'string' || !DAY.test(value)) return null;
  const d = DateTime.fromISO(value, { zone: safeZone(zone) });
  return d.isValid ? d.toISODate() : null;
}

const safeZone = (zone: string) => (isTimeZone(zone) ? zone : 'UTC');

/** The instants a page covers: the local week (Monday to Monday) or the local day around `anchor`. */
export function calendarRange(view: CalendarView, anchor: string, zone: string) {
  const z = safeZone(zone);
  const day = DateTime.fromISO(anchor, { zone: z }).startOf('day');
  const first = view === 'week' ? day.startOf('week') : day;
  const after = first.plus({ days: view === 'week' ? 7 : 1 });
  const dates = Array.from({ length: view === 'week' ? 7 : 1 }, (_, i) => first.plus({ days: i }).toISODate()!);
  return { first, after, dates, from: startOfLocalDay(dates[0]!, z), to: startOfLocalDay(after.toISODate()!, z) };
}

/** The page for `view` around `anchor` (a local day) with `items`; `now` marks today and names it. */
export function buildCalendar(opts: {
  view: CalendarView;
  anchor: string | null;
  zone: string;
  now: Date;
  items: CalendarItem[];
}): CalendarPage {
  const zone = safeZone(opts.zone);
  const today = DateTime.fromJSDate(opts.now, { zone }).toISODate()!;
  const anchor = opts.anchor ?? today;
  const { first, after, dates, from, to } = calendarRange(opts.view, anchor, zone);
  const byDay = new Map<string, CalendarEntry[]>(dates.map((d) => [d, []]));
  for (const item of [...opts.items].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (item.at < from || item.at >= to) continue;
    const local = DateTime.fromJSDate(item.at, { zone });
    byDay
      .get(local.toISODate()!)
      ?.push({ ...item, time: local.toFormat('HH:mm'), offset: `UTC${local.toFormat('ZZ')}` });
  }
  const step = opts.view === 'week' ? { days: 7 } : { days: 1 };
  const fmt = (d: DateTime, f: string) => d.toFormat(f, { locale: 'en-GB' });
  const last = after.minus({ days: 1 });
  return {
    view: opts.view,
    zone,
    from,
    to,
    title:
      opts.view === 'week' ? `${fmt(first, 'd LLL')} – ${fmt(last, 'd LLL yyyy')}` : fmt(first, 'cccc d LLLL yyyy'),
    days: dates.map((date) => ({
      date,
      label: fmt(DateTime.fromISO(date, { zone }), 'ccc d LLL'),
      isToday: date === today,
      entries: byDay.get(date)!,
    })),
    prev: first.minus(step).toISODate()!,
    next: first.plus(step).toISODate()!,
    today,
  };
}
