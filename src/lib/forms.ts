// Parses a form body with a zod schema into typed data, or throws a ValidationError whose fieldErrors map each
// field to a message the page shows next to that field.
import type { z } from 'zod';
import { ValidationError } from './errors.js';

export function parseForm<S extends z.ZodType>(
  schema: S,
  body: unknown,
  summary = 'Please correct the highlighted fields.',
): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const fieldErrors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '_form');
    fieldErrors[field] ??= issue.message;
  }
  throw new ValidationError(summary, fieldErrors);
}

/** A form field that may come once (a string) or several times (an array): its non-empty string values. */
export function formList(value: unknown): string[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (x): x is string => typeof x === 'string' && x !== '',
  );
}
