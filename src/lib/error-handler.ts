// Maps every error to one response: an EJS error page (or JSON for API clients) with an error id that also
// appears in the log line, and never a stack trace, path, SQL or library message.
import { randomBytes } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { CsrfError } from './csrf.js';
import { AppError, ForbiddenError, NotFoundError, TooManyRequestsError, ValidationError } from './errors.js';
import type { Logger } from './logger.js';

export class SignInRequiredError extends AppError {
  override readonly status = 401;
  override readonly expose = true;
  constructor() {
    super('Please sign in to continue.');
    this.name = 'SignInRequiredError';
  }
}

const TITLES: Record<number, string> = {
  400: 'That request could not be processed',
  401: 'Sign-in required',
  403: 'Access denied',
  404: 'Page not found',
  409: 'Conflict',
  413: 'Too much data',
  429: 'Too many attempts',
  500: 'Something went wrong',
  503: 'Temporarily unavailable',
};

function newErrorId(): string {
  return randomBytes(6).toString('hex');
}

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

function classify(err: unknown): { status: number; message: string } {
  if (err instanceof AppError) {
    return {
      status: err.status,
      message: err.expose
        ? err.message
        : 'An unexpected error occurred. The error id below helps an administrator find the cause.',
    };
  }
  const e = err as HttpishError;
  const status = e?.status ?? e?.statusCode;
  // body-parser errors: size limit, bad JSON, too many fields. Their own messages are fine for 4xx.
  if (e?.type === 'entity.too.large')
    return { status: 413, message: 'The submitted data is larger than this server accepts.' };
  if (e?.type === 'parameters.too.many')
    return { status: 413, message: 'The form has more fields than this server accepts.' };
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, message: 'The request could not be understood. Check what you entered and try again.' };
  }
  return {
    status: 500,
    message: 'An unexpected error occurred. The error id below helps an administrator find the cause.',
  };
}

/** The security event a refusal is logged as (L1 of the checklist), by what refused it. */
function refusalEvent(err: unknown, status: number): string {
  if (err instanceof CsrfError) return 'security.csrf_failed';
  if (err instanceof ForbiddenError) return 'security.access_denied';
  if (err instanceof ValidationError || status === 400) return 'security.validation_failed';
  if (status === 401) return 'security.sign_in_required';
  if (status === 429) return 'security.throttled';
  if (status === 404) return 'request.not_found';
  return 'request.refused';
}

export function notFoundHandler(): RequestHandler {
  return (_req, _res, next) => next(new NotFoundError());
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const errorId = newErrorId();
    const { status, message } = classify(err);
    // A CSRF refusal comes before the current user is loaded: the session still says who it was.
    const logFields = {
      errorId,
      status,
      method: req.method,
      path: req.path,
      userId: req.user?.id ?? req.session?.userId,
      ip: req.ip,
    };
    res.locals.errorId = errorId; // the access log line then knows this refusal is logged already
    if (status >= 500)
      logger.error('request failed', { ...logFields, event: 'request.failed', outcome: 'failure', err });
    else
      logger.warn('request refused', {
        ...logFields,
        event: refusalEvent(err, status),
        outcome: 'refused',
        reason: (err as Error)?.name,
        detail: (err as Error)?.message,
      });
    if (err instanceof TooManyRequestsError) res.set('Retry-After', String(err.retryAfterSeconds));
    res.status(status);
    res.set('Cache-Control', 'no-store');
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ error: { status, message, errorId } });
      return;
    }
    res.render('errors/error', {
      title: TITLES[status] ?? 'Error',
      status,
      message,
      errorId,
      signInLink: status === 401,
    });
  };
}
