// Per-token request budget like Genesys' `token.rate.per.minute`: fixed one-minute windows per token
// (Genesys' normalized 429 examples carry Retry-After values up to a minute, which fits fixed windows;
// the exact algorithm is UNCONFIRMED).

export class TokenRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  setLimit(perMinute: number): void {
    this.perMinute = perMinute;
  }

  /** Counts one request; returns 0 when allowed, else the whole seconds to wait (>= 1). */
  take(token: string): number {
    const t = this.now();
    let w = this.windows.get(token);
    if (!w || t - w.start >= 60_000) {
      w = { start: t, count: 0 };
      this.windows.set(token, w);
    }
    if (w.count >= this.perMinute) return Math.max(1, Math.ceil((w.start + 60_000 - t) / 1000));
    w.count++;
    return 0;
  }

  reset(): void {
    this.windows.clear();
  }
}
