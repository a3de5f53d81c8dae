// Redaction for log lines: passwords, secrets, tokens, cookies and CSRF tokens never reach a log, whatever
// a caller passes in. Two layers: keys that name a secret are masked wholesale, and any string containing a
// registered secret value (session secret, bearer tokens seen at runtime, ...) has that value masked.

export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /pass(word|wd|phrase)?|secret|token|authori[sz]ation|cookie|csrf|xsrf|^_csrf$|session.?id|^sid$|api.?key|private.?key|pepper|credential/i;

export class Redactor {
  private readonly values = new Set<string>();

  /** Registers a secret value that must be masked wherever it appears in a log string. */
  addSecret(value: string | undefined | null): void {
    if (value && value.length >= 8) this.values.add(value);
  }

  redact<T>(input: T): T {
    return this.walk(input, new WeakSet()) as T;
  }

  private walk(value: unknown, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.maskString(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    if (value instanceof Error) {
      return { name: value.name, message: this.maskString(value.message), stack: this.maskString(value.stack ?? '') };
    }
    if (Array.isArray(value)) return value.map((v) => this.walk(v, seen));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' ? REDACTED : this.walk(v, seen);
    }
    return out;
  }

  private maskString(s: string): string {
    let out = s.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`);
    for (const secret of this.values) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }
}
