// Times typed in an org's zone become the right UTC instants, across daylight-saving changes.
import { describe, expect, it } from 'vitest';
import { formatInZone, isTimeZone, localDay, parseLocalTime, toLocalInput } from '../../src/lib/zoned-time.js';

const at = (input: string, zone: string) => {
  const r = parseLocalTime(input, zone);
  if (!r.ok) throw new Error(r.message);
  return r.at.toISOString();
};

describe('zoned time', () => {
  it('reads a local time in the org zone, summer and winter', () => {
    expect(at('2026-07-01T18:00', 'Europe/Berlin')).toBe('2026-07-01T16:00:00.000Z');
    expect(at('2026-12-24T18:00', 'Europe/Berlin')).toBe('2026-12-24T17:00:00.000Z');
    expect(at('2026-12-24T18:00', 'America/New_York')).toBe('2026-12-24T23:00:00.000Z');
    expect(at('2026-12-24T18:00', 'UTC')).toBe('2026-12-24T18:00:00.000Z');
  });

  it('refuses a time the clocks skip, naming it', () => {
    const r = parseLocalTime('2026-03-29T02:30', 'Europe/Berlin');
    expect(r).toEqual({ ok: false, message: expect.stringContaining('does not exist in Europe/Berlin') });
  });

  it('takes the first of a time that happens twice', () => {
    expect(at('2026-10-25T02:30', 'Europe/Berlin')).toBe('2026-10-25T00:30:00.000Z');
    expect(at('2026-10-25T01:30', 'Europe/Berlin')).toBe('2026-10-24T23:30:00.000Z');
    expect(at('2026-10-25T03:30', 'Europe/Berlin')).toBe('2026-10-25T02:30:00.000Z');
  });

  it('refuses malformed input, impossible dates and unknown zones', () => {
    expect(parseLocalTime('tomorrow', 'UTC').ok).toBe(false);
    expect(parseLocalTime('2026-02-31T10:00', 'UTC').ok).toBe(false);
    expect(parseLocalTime('2026-02-10T10:00', 'Mars/Olympus')).toEqual({
      ok: false,
      message: expect.stringContaining('not a time zone'),
    });
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Europe/Nowhere')).toBe(false);
  });

  it('shows instants in the zone, with the offset', () => {
    const d = new Date('2026-10-25T00:30:00Z');
    expect(toLocalInput(d, 'Europe/Berlin')).toBe('2026-10-25T02:30');
    expect(formatInZone(d, 'Europe/Berlin')).toContain('02:30');
    expect(formatInZone(d, 'Europe/Berlin')).toContain('CEST, UTC+02:00');
    expect(localDay(new Date('2026-12-24T23:30:00Z'), 'Europe/Berlin')).toBe('2026-12-25');
  });
});
