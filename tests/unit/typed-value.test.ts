// The one parser for typed text (row form, grid, bulk): booleans in every common spelling, strict numbers,
// anything else refused with the column named.
import { describe, expect, it } from 'vitest';
import { parseBooleanText, parseTypedValue } from '../../src/features/tables/typed-value.js';

describe('parseTypedValue', () => {
  it.each(['yes', 'Yes', 'YES', ' true ', 'TRUE', 'True', '1', 'on'])('reads %j as true', (text) => {
    expect(parseTypedValue(text, { type: 'boolean' }, 'Active')).toEqual({ value: true });
  });

  it.each(['no', 'No', 'FALSE', 'false', ' 0', 'off'])('reads %j as false', (text) => {
    expect(parseTypedValue(text, { type: 'boolean' }, 'Active')).toEqual({ value: false });
  });

  it.each(['', 'maybe', 'y', 'n', '2', 'yes please', 'ja'])('refuses %j for a yes/no column, naming it', (text) => {
    expect(parseTypedValue(text, { type: 'boolean' }, 'Active').error).toMatch(/^Active must be yes or no/);
  });

  it('reads whole numbers strictly', () => {
    expect(parseTypedValue(' -42 ', { type: 'integer' }, 'Priority')).toEqual({ value: -42 });
    expect(parseTypedValue('+7', { type: 'integer' }, 'Priority')).toEqual({ value: 7 });
    for (const bad of ['4.5', '1e3', '0x10', '12abc', 'seven', ''])
      expect(parseTypedValue(bad, { type: 'integer' }, 'Priority').error).toMatch(/^Priority /);
    expect(parseTypedValue('99999999999999999999', { type: 'integer' }, 'Priority').error).toBe(
      'Priority is too large.',
    );
  });

  it('reads numbers strictly', () => {
    expect(parseTypedValue('4.5', { type: 'number' }, 'Ratio')).toEqual({ value: 4.5 });
    expect(parseTypedValue('.5', { type: 'number' }, 'Ratio')).toEqual({ value: 0.5 });
    expect(parseTypedValue('-1e3', { type: 'number' }, 'Ratio')).toEqual({ value: -1000 });
    for (const bad of ['1,5', 'Infinity', 'NaN', '1e999', '', '--1'])
      expect(parseTypedValue(bad, { type: 'number' }, 'Ratio').error).toMatch(/^Ratio /);
  });

  it('keeps text as typed, blanks included', () => {
    expect(parseTypedValue('  as is ', { type: 'string' }, 'Message')).toEqual({ value: '  as is ' });
  });

  it('parseBooleanText answers null for anything else', () => {
    expect(parseBooleanText('Nope')).toBeNull();
  });
});
