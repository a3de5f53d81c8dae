// The one validator and canonicaliser of column formats: what each kind accepts and stores, what it refuses
// and with which message (the same mistake, the same words), and the patterns it will not run.
import { describe, expect, it } from 'vitest';
import {
  checkFormat,
  describeFormat,
  MAX_CHECKED_LENGTH,
  patternProblem,
} from '../../src/features/formats/format-check.js';
import type { ColumnFormatSpec } from '../../src/features/formats/format-types.js';

const date: ColumnFormatSpec = { kind: 'date' };
const time: ColumnFormatSpec = { kind: 'time' };
const datetime: ColumnFormatSpec = { kind: 'datetime' };
const timerange: ColumnFormatSpec = { kind: 'timerange' };
const list: ColumnFormatSpec = { kind: 'list', values: ['Open', 'Closed', 'Holiday'] };
const pattern: ColumnFormatSpec = {
  kind: 'pattern',
  pattern: '[A-Z]{2}\\d{3}',
  message: 'two capitals and three digits, like AB123',
};
const range: ColumnFormatSpec = { kind: 'range', min: 1, max: 10 };
const phone: ColumnFormatSpec = { kind: 'phone' };
const email: ColumnFormatSpec = { kind: 'email' };

const ok = (spec: ColumnFormatSpec, raw: string) => checkFormat(spec, raw, 'Col');

describe('accepted values and the text stored for them', () => {
  it.each<[ColumnFormatSpec, string, string]>([
    [date, '2026-01-05', '2026-01-05'],
    [date, '2026-1-5', '2026-01-05'],
    [date, ' 2026/01/05 ', '2026-01-05'],
    [date, '2026.1.5', '2026-01-05'],
    [date, '2028-02-29', '2028-02-29'],
    [time, '08:30', '08:30'],
    [time, '8:30', '08:30'],
    [time, '00:00', '00:00'],
    [time, '23:59', '23:59'],
    [datetime, '2026-12-31 17:30', '2026-12-31T17:30'],
    [datetime, '2026-12-31T17:30', '2026-12-31T17:30'],
    [datetime, '2026-1-5  8:05', '2026-01-05T08:05'],
    [timerange, '08:00-17:30', '08:00-17:30'],
    [timerange, '8:00 - 17:30', '08:00-17:30'],
    [timerange, '08:00–17:30', '08:00-17:30'],
    [list, 'Open', 'Open'],
    [list, 'holiday', 'Holiday'],
    [list, ' CLOSED ', 'Closed'],
    [pattern, 'AB123', 'AB123'],
    [range, '1', '1'],
    [range, ' 10 ', '10'],
    [range, '4.50', '4.5'],
    [phone, '+14155550100', '+14155550100'],
    [phone, '+1 (415) 555-0100', '+14155550100'],
    [phone, '0044 20 7946 0000', '+442079460000'],
    [phone, '+31.20.123.4567', '+31201234567'],
    [email, 'name@example.com', 'name@example.com'],
    [email, ' First.Last+tag@Example.CO.uk ', 'First.Last+tag@example.co.uk'],
  ])('%j: %j is stored as %j', (spec, raw, stored) => {
    expect(ok(spec, raw)).toEqual({ ok: true, value: stored });
  });

  it('stores what it stored again unchanged (canonical text is a fixed point)', () => {
    const samples: [ColumnFormatSpec, string][] = [
      [date, '2026-1-5'],
      [datetime, '2026-1-5 8:05'],
      [timerange, '8:00 - 17:30'],
      [list, 'holiday'],
      [phone, '0044 20 7946 0000'],
      [email, 'A@B.COM'],
      [range, '4.50'],
    ];
    for (const [spec, raw] of samples) {
      const first = ok(spec, raw);
      if (!first.ok) throw new Error(`${raw} refused`);
      expect(ok(spec, first.value)).toEqual(first);
    }
  });
});

describe('refused values name the column and the mistake', () => {
  it.each<[ColumnFormatSpec, string, string]>([
    [date, '2026-13-45', 'Col: “2026-13-45” is not a day of the calendar.'],
    [date, '2026-02-30', 'Col: “2026-02-30” is not a day of the calendar.'],
    [date, '2027-02-29', 'Col: “2027-02-29” is not a day of the calendar.'],
    [date, '05/01/2026', 'Col must be a date, year-month-day like 2026-12-31; “05/01/2026” is not.'],
    [date, 'tomorrow', 'Col must be a date, year-month-day like 2026-12-31; “tomorrow” is not.'],
    [time, '24:00', 'Col must be a time of day, HH:MM on the 24-hour clock like 17:30; “24:00” is not.'],
    [time, '8:5', 'Col must be a time of day, HH:MM on the 24-hour clock like 17:30; “8:5” is not.'],
    [time, '5pm', 'Col must be a time of day, HH:MM on the 24-hour clock like 17:30; “5pm” is not.'],
    [datetime, '2026-02-30 10:00', 'Col: “2026-02-30” is not a day of the calendar.'],
    [datetime, '2026-01-05', 'Col must be a date and time, like 2026-12-31 17:30; “2026-01-05” is not.'],
    [timerange, '17:30-08:00', 'Col: the start (17:30) must be before the end (08:00).'],
    [timerange, '08:00-08:00', 'Col: the start (08:00) must be before the end (08:00).'],
    [
      timerange,
      '08:00',
      'Col must be a time range, HH:MM-HH:MM on the 24-hour clock like 08:00-17:30; “08:00” is not.',
    ],
    [list, 'Opened', 'Col must be one of: Open, Closed, Holiday; “Opened” is not.'],
    [pattern, 'ab123', 'Col: two capitals and three digits, like AB123 (“ab123” is not).'],
    [pattern, 'XAB123', 'Col: two capitals and three digits, like AB123 (“XAB123” is not).'],
    [range, '11', 'Col must be a number from 1 to 10; “11” is not.'],
    [range, '0.99', 'Col must be a number from 1 to 10; “0.99” is not.'],
    [range, 'ten', 'Col must be a number from 1 to 10; “ten” is not.'],
    [phone, '4155550100', 'Col must be a phone number in international form, like +14155550100; “4155550100” is not.'],
    [phone, '+0123456', 'Col must be a phone number in international form, like +14155550100; “+0123456” is not.'],
    [
      phone,
      '+1234567890123456',
      'Col must be a phone number in international form, like +14155550100; “+1234567890123456” is not.',
    ],
    [email, 'a@b', 'Col must be one e-mail address, like name@example.com; “a@b” is not.'],
    [email, 'a@b.com, c@d.com', 'Col must be one e-mail address, like name@example.com; “a@b.com, c@d.com” is not.'],
    [email, 'a..b@c.com', 'Col must be one e-mail address, like name@example.com; “a..b@c.com” is not.'],
    [email, 'a@-b.com', 'Col must be one e-mail address, like name@example.com; “a@-b.com” is not.'],
  ])('%j refuses %j', (spec, raw, message) => {
    expect(ok(spec, raw)).toEqual({ ok: false, message });
  });

  it('gives the same message for the same mistake, whatever the column is called', () => {
    const a = checkFormat(date, '2026-13-45', 'Start');
    const b = checkFormat(date, '2026-13-45', 'Start');
    expect(a).toEqual(b);
    expect(checkFormat(date, '2026-13-45', 'End')).toEqual({
      ok: false,
      message: 'End: “2026-13-45” is not a day of the calendar.',
    });
  });

  it('quotes at most 40 characters of a long value', () => {
    const r = ok(email, 'x'.repeat(60));
    expect(r).toEqual({
      ok: false,
      message: `Col must be one e-mail address, like name@example.com; “${'x'.repeat(40)}…” is not.`,
    });
  });

  it('bounds a range on one side only', () => {
    expect(checkFormat({ kind: 'range', min: 0, max: null }, '-1', 'N')).toEqual({
      ok: false,
      message: 'N must be a number of at least 0; “-1” is not.',
    });
    expect(checkFormat({ kind: 'range', min: null, max: 5 }, '1e9', 'N').ok).toBe(false);
  });
});

describe('empty values', () => {
  it.each([date, time, datetime, timerange, list, pattern, range, phone, email])('%j: empty means no value', (spec) => {
    expect(ok(spec, '')).toEqual({ ok: true, value: '' });
    expect(ok(spec, '   ')).toEqual({ ok: true, value: '' });
  });

  it('the key cannot be empty', () => {
    expect(checkFormat(date, ' ', 'Day', { required: true })).toEqual({ ok: false, message: 'Day needs a value.' });
  });
});

describe('patterns', () => {
  it('match the whole value, not a part of it', () => {
    expect(checkFormat({ kind: 'pattern', pattern: 'a|b', message: 'a or b' }, 'ab', 'C').ok).toBe(false);
    expect(checkFormat({ kind: 'pattern', pattern: 'a|b', message: 'a or b' }, 'b', 'C').ok).toBe(true);
  });

  it.each(['(a+)+', '(a*)*b', '(\\d+)*', '(a|ab)*', '((a)+)+', '(x{2,})+', '(?:a|aa)+$'])(
    'refuses %j, whose checking time can explode',
    (p) => {
      expect(patternProblem(p)).toMatch(/repeats a group/);
    },
  );

  it.each(['[A-Z]{2}\\d{3}', '(ab)+', '\\d{4}-\\d{2}', '[(a+)+]', '\\(a+\\)+', 'Mon|Tue|Wed', '(AB)?\\d+'])(
    'accepts %j',
    (p) => {
      expect(patternProblem(p)).toBeNull();
    },
  );

  it('refuses back-references, patterns that do not compile and over-long ones', () => {
    expect(patternProblem('(a)\\1')).toMatch(/refer back/);
    expect(patternProblem('[a-')).toMatch(/not a valid regular expression/);
    expect(patternProblem('a'.repeat(201))).toMatch(/at most 200/);
  });

  it('refuses every value when the stored pattern is not usable (fail closed)', () => {
    expect(checkFormat({ kind: 'pattern', pattern: '(a+)+', message: 'm' }, 'aaa', 'C')).toEqual({
      ok: false,
      message: 'C cannot be checked: its pattern is not usable. Ask an administrator to fix it.',
    });
  });

  it('refuses a value too long to check before any pattern runs, quickly', () => {
    const started = performance.now();
    const r = checkFormat(pattern, 'A'.repeat(MAX_CHECKED_LENGTH + 1), 'C');
    expect(r).toEqual({
      ok: false,
      message: `C is too long to be two capitals and three digits, like AB123 (at most ${MAX_CHECKED_LENGTH} characters).`,
    });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('describeFormat', () => {
  it.each<[ColumnFormatSpec, string]>([
    [date, 'a date, YYYY-MM-DD'],
    [time, 'a time, HH:MM (24-hour)'],
    [datetime, 'a date and time, YYYY-MM-DD HH:MM'],
    [timerange, 'a time range, HH:MM-HH:MM'],
    [list, 'one of: Open, Closed, Holiday'],
    [pattern, 'two capitals and three digits, like AB123'],
    [range, 'a number from 1 to 10'],
    [phone, 'a phone number, like +14155550100'],
    [email, 'an e-mail address'],
    [
      { kind: 'list', values: Array.from({ length: 12 }, (_, i) => `v${i}`) },
      'one of: v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, … (12 values)',
    ],
  ])('%j reads %j', (spec, hint) => {
    expect(describeFormat(spec)).toBe(hint);
  });
});
