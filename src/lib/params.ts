// One parser for every numeric id a request carries (user ids, audit sequence numbers) in a path, a form field
// or a query string. Database ids are SQLite integers that Prisma reads as 32-bit `Int`s: a value past that
// range, or text such as `abc`, `1e3` or `..`, used to reach Prisma and come back as a 500. Here it becomes a
// 404 (a path naming nothing) or a 400 naming the field, before any service runs.
import type { Request } from 'express';
import { NotFoundError, ValidationError } from './errors.js';

/** The largest value of a Prisma `Int` column. */
export const MAX_DB_INT = 2_147_483_647;

/** A positive whole number in decimal digits that fits an `Int` column, or null. */
export function parseId(value: unknown): number | null {
  if (typeof value !== 'string' || !/^[1-9]\d{0,9}$/.test(value)) return null;
  const n = Number(value);
  return n <= MAX_DB_INT ? n : null;
}

/** How a bad value is quoted back to the user: short and printable. */
export function quoted(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const printable = text.replace(/[\p{C}]/gu, '?');
  return `“${printable.length > 40 ? `${printable.slice(0, 40)}…` : printable}”`;
}

const capitalised = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/** A numeric path parameter: anything but a valid id is a page that does not exist. */
export function idParam(req: Request, name: string, what: string): number {
  const raw = req.params[name];
  const id = parseId(raw);
  if (id === null)
    throw new NotFoundError(
      `There is no ${what} ${quoted(raw)}: ${what} numbers are whole numbers from 1 to ${MAX_DB_INT}.`,
    );
  return id;
}

/** A numeric form field: required, and refused with the field named when it is not an id. */
export function idField(body: unknown, name: string, label: string): number {
  const raw = (body as Record<string, unknown> | undefined)?.[name];
  const id = parseId(raw);
  if (id === null) {
    const message =
      raw === undefined || raw === ''
        ? `Choose ${label}.`
        : `${capitalised(label)} must be a whole number from 1 to ${MAX_DB_INT}, not ${quoted(raw)}.`;
    throw new ValidationError(message, { [name]: message });
  }
  return id;
}

/** An optional numeric query parameter (a filter, a paging cursor): absent or empty is undefined. */
export function idQuery(query: unknown, name: string, label: string): number | undefined {
  const raw = (query as Record<string, unknown> | undefined)?.[name];
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return undefined;
  const id = parseId(typeof raw === 'string' ? raw.trim() : raw);
  if (id === null) {
    const message = `${capitalised(label)} (${name}) must be a whole number from 1 to ${MAX_DB_INT}, not ${quoted(raw)}.`;
    throw new ValidationError(message, { [name]: message });
  }
  return id;
}
