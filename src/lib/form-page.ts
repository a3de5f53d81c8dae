// One way to show a form page, first blank and again after a failed submission. A ValidationError shows its
// summary and a message beside each named field at 400; any other error written for users (403, 404, 409…)
// shows its message at its own status; anything else is rethrown for the error handler, so a crash is never
// dressed up as a form message. Routes call this instead of repeating the status/error/fieldErrors triple.
import type { Response } from 'express';
import { AppError, TooManyRequestsError, ValidationError } from './errors.js';

export interface FormFailure {
  status: number;
  error: string | null;
  fieldErrors: Record<string, string>;
}

const NO_FAILURE: FormFailure = { status: 200, error: null, fieldErrors: {} };

/** What a form page shows for `err`; throws `err` itself when it is not an error meant for users. */
export function formFailure(err: unknown): FormFailure {
  if (!(err instanceof AppError) || !err.expose) throw err;
  return { status: err.status, error: err.message, fieldErrors: err instanceof ValidationError ? err.fieldErrors : {} };
}

/** Renders `view` with `locals`, plus `error` and `fieldErrors` (and the status) from `failure` if there is one. */
export function renderForm(res: Response, view: string, locals: Record<string, unknown>, failure?: unknown): void {
  const shown = failure === undefined ? NO_FAILURE : formFailure(failure);
  // A refusal to try again yet says when, as the error handler's 429 pages do.
  if (failure instanceof TooManyRequestsError) res.set('Retry-After', String(failure.retryAfterSeconds));
  res.status(shown.status).render(view, { ...locals, error: shown.error, fieldErrors: shown.fieldErrors });
}
