// How many backup uploads are in progress, server-wide and per person. Each one is parsed in memory (up to
// 50 MB of JSON, several times that as objects) and blocks the event loop while it is parsed: three at once
// took a test server to ~980 MB and stalled /healthz. A slot is held from the first byte of the upload to
// the end of its response, so the limit covers receiving, checking and keeping the file.
import { TooManyRequestsError } from '../../lib/errors.js';

/** The server as a whole is busy (503), as opposed to this person asking too often (429). */
export class UploadsBusyError extends TooManyRequestsError {
  override readonly status: number = 503;
  constructor(message: string, retryAfterSeconds: number) {
    super(message, retryAfterSeconds);
    this.name = 'UploadsBusyError';
  }
}

export class UploadGate {
  private total = 0;
  private readonly perUser = new Map<number, number>();

  constructor(private readonly limits: { atOnce: number; atOncePerUser: number }) {}

  /** Takes a slot for `userId`, or throws a 429 (their own limit) or 503 (the server's). Returns its release (safe to call twice). */
  enter(userId: number): () => void {
    const mine = this.perUser.get(userId) ?? 0;
    if (mine >= this.limits.atOncePerUser) {
      throw new TooManyRequestsError(
        `You already have ${mine} backup upload(s) in progress (at most ${this.limits.atOncePerUser} at a time). Wait until it has been checked, then upload the next file.`,
        10,
      );
    }
    if (this.total >= this.limits.atOnce) {
      throw new UploadsBusyError(
        `The server is checking ${this.total} uploaded backup(s) right now, the most it takes at once. Try again in a minute.`,
        30,
      );
    }
    this.total++;
    this.perUser.set(userId, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(userId, left);
      else this.perUser.delete(userId);
    };
  }

  /** Uploads in progress (for tests and the health page). */
  get inProgress(): number {
    return this.total;
  }
}
