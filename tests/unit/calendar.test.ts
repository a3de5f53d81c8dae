// The calendar's view model: weeks and days split at local midnight in the org's zone, across daylight saving.
import { describe, expect, it } from 'vitest';
import {
  buildCalendar,
  calendarDay,
  calendarView,
  stepStatus,
  type CalendarItem,
} from '../../src/features/requests/calendar.js';

const item = (requestId: string, at: string, step: CalendarItem['step'] = 'apply'): CalendarItem => ({
  requestId,
  title: `Request ${requestId}`,
  status: 'approved',
  step,
  at: new Date(at),
  tables: ['Opening Hours'],
});
const HOURS = 3_600_000;

describe('a week with the clocks going forward (Europe/London, Sunday 28 March 2027)', () => {
  const page = buildCalendar({
    view: 'week',
    anchor: '2027-03-24', // a Wednesday: the week runs Monday to Sunday around it
    zone: 'Europe/London',
    now: new Date('2027-03-23T12:00:00Z'),
    items: [
      item('before', '2027-03-21T23:59:00Z'), // Sunday 21st, 23:59 GMT: the week before
      item('sun-early', '2027-03-28T00:30:00Z', 'revert'), // 00:30 GMT, before the change
      item('sun-after', '2027-03-28T01:30:00Z'), // 02:30 BST, after it
      item('sun-late', '2027-03-28T22:30:00Z'), // 23:30 BST: still Sunday there
      item('mon', '2027-03-28T23:30:00Z'), // 00:30 BST on Monday 29th: next week, though still the 28th in UTC
    ],
  });

  it('runs from local Monday midnight to the next, 167 hours', () => {
    expect(page.from.toISOString()).toBe('2027-03-22T00:00:00.000Z');
    expect(page.to.toISOString()).toBe('2027-03-28T23:00:00.000Z');
    expect(page.to.getTime() - page.from.getTime()).toBe(167 * HOURS);
    expect(page.days.map((d) => d.date)).toEqual([
      '2027-03-22',
      '2027-03-23',
      '2027-03-24',
      '2027-03-25',
      '2027-03-26',
      '2027-03-27',
      '2027-03-28',
    ]);
    expect(page.days.find((d) => d.isToday)?.date).toBe('2027-03-23');
    expect(page.title).toBe('22 Mar – 28 Mar 2027');
  });

  it('puts each step on the day, and at the time, the clocks there show', () => {
    const sunday = page.days[6]!;
    expect(sunday.label).toBe('Sun 28 Mar');
    expect(sunday.entries.map((e) => [e.requestId, e.step, e.time, e.offset])).toEqual([
      ['sun-early', 'revert', '00:30', 'UTC+00:00'],
      ['sun-after', 'apply', '02:30', 'UTC+01:00'],
      ['sun-late', 'apply', '23:30', 'UTC+01:00'],
    ]);
    const shown = page.days.flatMap((d) => d.entries.map((e) => e.requestId));
    expect(shown).not.toContain('before');
    expect(shown).not.toContain('mon');
  });

  it('moves a week at a time', () => {
    expect(page.prev).toBe('2027-03-15');
    expect(page.next).toBe('2027-03-29');
    expect(page.today).toBe('2027-03-23');
  });
});

describe('a week with the clocks going back (Europe/Berlin, Sunday 31 October 2027)', () => {
  const page = buildCalendar({
    view: 'week',
    anchor: '2027-10-31',
    zone: 'Europe/Berlin',
    now: new Date('2027-10-01T00:00:00Z'),
    items: [
      item('late-sunday', '2027-10-31T22:30:00Z'), // 23:30 CET Sunday (with summer's offset it would be Monday)
      item('repeated', '2027-10-31T01:30:00Z'), // 02:30 CET, the second 02:30 of the night
      item('first', '2027-10-31T00:30:00Z'), // 02:30 CEST, the first
    ],
  });

  it('is 169 hours long and keeps both 02:30s apart, by offset', () => {
    expect(page.to.getTime() - page.from.getTime()).toBe(169 * HOURS);
    expect(page.days[6]!.entries.map((e) => [e.requestId, e.time, e.offset])).toEqual([
      ['first', '02:30', 'UTC+02:00'],
      ['repeated', '02:30', 'UTC+01:00'],
      ['late-sunday', '23:30', 'UTC+01:00'],
    ]);
  });
});

describe('a day', () => {
  it('is the local day (23 hours on the day the clocks go forward), a day at a time', () => {
    const page = buildCalendar({
      view: 'day',
      anchor: '2027-03-28',
      zone: 'Europe/London',
      now: new Date('2027-03-28T12:00:00Z'),
      items: [item('a', '2027-03-28T22:59:00Z'), item('b', '2027-03-28T23:00:00Z')],
    });
    expect(page.to.getTime() - page.from.getTime()).toBe(23 * HOURS);
    expect(page.days).toHaveLength(1);
    expect(page.days[0]!.entries.map((e) => e.requestId)).toEqual(['a']);
    expect([page.prev, page.next]).toEqual(['2027-03-27', '2027-03-29']);
    expect(page.title).toBe('Sunday 28 March 2027');
  });

  it("shows today in the org's zone when no day is asked for", () => {
    // 23:30 UTC on 31 Dec is already 1 Jan in Auckland.
    const page = buildCalendar({
      view: 'day',
      anchor: null,
      zone: 'Pacific/Auckland',
      now: new Date('2026-12-31T23:30:00Z'),
      items: [],
    });
    expect(page.days[0]!.date).toBe('2027-01-01');
  });
});

describe('the status of a step', () => {
  it('shows an apply that ran as applied, even while the request is held at its revert', () => {
    const held = { status: 'held' as const, appliedAt: new Date('2027-01-01T10:00:00Z') };
    expect(stepStatus(held, 'apply')).toBe('applied');
    expect(stepStatus(held, 'revert')).toBe('held');
    expect(stepStatus({ status: 'held', appliedAt: null }, 'apply')).toBe('held'); // held before its apply
  });
});

describe('reading the query', () => {
  it('takes week unless day is asked for, and only real days', () => {
    expect(calendarView('day')).toBe('day');
    expect(calendarView('month')).toBe('week');
    expect(calendarView(undefined)).toBe('week');
    expect(calendarDay('2027-03-28', 'Europe/London')).toBe('2027-03-28');
    for (const bad of ['2027-02-30', '28/03/2027', '', ['2027-03-28'], undefined])
      expect(calendarDay(bad, 'UTC')).toBeNull();
  });
});
