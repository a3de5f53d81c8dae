// Typed, user-readable errors from the Genesys gateway. Services and pages show their messages as-is, so
// they say what happened and what to do, and never carry tokens, secrets or stack traces.
import { AppError } from '../lib/errors.js';

export class GenesysError extends AppError {
  override readonly expose = true;
  /** Genesys' correlation id (contextId), for support cases. */
  correlationId?: string;
  /** Genesys' own error code, e.g. flows.datatables.syntax.error. */
  genesysCode?: string;
}

export class GenesysNotFoundError extends GenesysError {
  override readonly status = 404;
  override name = 'GenesysNotFoundError';
}

export class GenesysValidationError extends GenesysError {
  override readonly status: number = 400;
  override name = 'GenesysValidationError';
}

/**
 * Genesys refused because a request or its answer is too large: 413, or 400 `response.entity.too.large`
 * ("Reduce pageSize or expand list"). A listing steps its page size down on it.
 */
export class GenesysTooLargeError extends GenesysValidationError {
  override name = 'GenesysTooLargeError';
}

/** Genesys refused because of a conflict, e.g. a row with that key already exists. */
export class GenesysConflictError extends GenesysValidationError {
  override readonly status = 409;
  override name = 'GenesysConflictError';
}

export class GenesysRateLimitedError extends GenesysError {
  override readonly status = 429;
  override name = 'GenesysRateLimitedError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export class GenesysAuthError extends GenesysError {
  override readonly status = 502;
  override name = 'GenesysAuthError';
  constructor(
    message: string,
    readonly reason: 'bad-credentials' | 'missing-permissions' | 'token-rejected',
    /** For 'missing-permissions': the permissions Genesys named (any one of them would do). */
    readonly permissions: string[] = [],
  ) {
    super(message);
  }
}

export class GenesysUnavailableError extends GenesysError {
  override readonly status = 503;
  override name = 'GenesysUnavailableError';
  constructor(
    message: string,
    readonly reason: 'timeout' | 'unreachable' | 'server-error' | 'connection-reset' | 'unknown-host',
    /** True when the request may have reached Genesys (timeouts, resets): a write's outcome is unknown. */
    readonly mayHaveApplied: boolean,
  ) {
    super(message);
  }
}

export function isRetryable(err: unknown): boolean {
  return (
    err instanceof GenesysRateLimitedError || (err instanceof GenesysUnavailableError && err.reason !== 'unknown-host')
  );
}
