// Typed errors thrown by services and mapped to HTTP in one place (src/lib/error-handler.ts). Their messages
// are written for users: pages show them as-is, so they never carry internals.

export class AppError extends Error {
  readonly status: number = 500;
  /** Safe to show to the user. */
  readonly expose: boolean = false;
}

export class ValidationError extends AppError {
  override readonly status: number = 400;
  override readonly expose = true;
  constructor(
    message: string,
    /** Field name -> message, shown next to each form field. */
    readonly fieldErrors: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends AppError {
  override readonly status: number = 404;
  override readonly expose = true;
  constructor(message = 'The page or item you asked for does not exist.') {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class ForbiddenError extends AppError {
  override readonly status: number = 403;
  override readonly expose = true;
  constructor(message = 'You do not have permission to do that.') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export class ConflictError extends AppError {
  override readonly status: number = 409;
  override readonly expose = true;
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class TooManyRequestsError extends AppError {
  override readonly status: number = 429;
  override readonly expose = true;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'TooManyRequestsError';
  }
}
