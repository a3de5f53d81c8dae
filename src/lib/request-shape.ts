// Two rules every query string and body must follow before any route reads it, checked once here rather than
// by each route's parsing:
// - Parameter pollution (ASVS 15.3.7): a field sent twice (`a=1&a=2`, or an array in JSON) arrives as an
//   array where routes expect one string; depending on the reader that silently takes the first, the last
//   or neither. Only fields that are lists by design (checkbox groups) may repeat.
// - Prototype pollution (ASVS 15.3.6): keys such as `__proto__`, `constructor` and `prototype`, at any depth
//   of a JSON body or as a form key (`__proto__[x]`), are refused: no code has to remember to skip them.
// Both answer 400 naming the field.
import type { RequestHandler } from 'express';
import { ValidationError } from './errors.js';
import { quoted } from './params.js';

/**
 * Form and query fields that are lists by design: bulk row selection, backup tables, restore tables, a
 * paste's columns and rows (paste-request.ts); a table page's hidden columns and column order (URL), and the
 * grid layout form's columns, positions, shown columns and widths (views/view-routes.ts).
 */
export const LIST_FIELDS: ReadonlySet<string> = new Set([
  'sel',
  'table',
  'only',
  'col',
  'ref',
  'hide',
  'order',
  'pos',
  'show',
  'wcol',
  'w',
]);

const PROTOTYPE_KEY = /(^|\[)(__proto__|constructor|prototype)(\]|\[|$)/;

function refusePrototypeKeys(root: unknown, source: string): void {
  // Iterative walk: a JSON body nested thousands of levels deep must not overflow the stack here.
  const pending: unknown[] = [root];
  for (let value = pending.pop(); ; value = pending.pop()) {
    if (value !== null && typeof value === 'object') {
      for (const key of Object.keys(value)) {
        if (PROTOTYPE_KEY.test(key))
          throw new ValidationError(
            `The ${source} contains the field name ${quoted(key)}, which this server refuses.`,
            { [key]: 'Not accepted.' },
          );
        pending.push((value as Record<string, unknown>)[key]);
      }
    }
    if (!pending.length) return;
  }
}

function refuseRepeatedFields(fields: unknown, source: string): void {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return;
  for (const [key, value] of Object.entries(fields)) {
    if (Array.isArray(value) && !LIST_FIELDS.has(key)) {
      throw new ValidationError(`The ${source} field ${quoted(key)} was sent more than once; it takes one value.`, {
        [key]: 'Give one value.',
      });
    }
  }
}

export function requestShape(): RequestHandler {
  return (req, _res, next) => {
    try {
      for (const [fields, source] of [
        [req.query, 'query string'],
        [req.body, 'form'],
      ] as const) {
        refusePrototypeKeys(fields, source);
        refuseRepeatedFields(fields, source);
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}
