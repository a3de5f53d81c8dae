import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../src/lib/redact.js';

describe('Redactor', () => {
  it('masks values of keys that name secrets, at any depth', () => {
    const r = new Redactor();
    const out = r.redact({
      password: 'hunter2hunter2',
      nested: { clientSecret: 's3cr3t', headers: { authorization: 'Bearer abc', cookie: 'sid=1' }, _csrf: 'tok' },
      list: [{ access_token: 'x' }],
      email: 'a@example.com',
    });
    expect(out).toEqual({
      password: REDACTED,
      nested: { clientSecret: REDACTED, headers: { authorization: REDACTED, cookie: REDACTED }, _csrf: REDACTED },
      list: [{ access_token: REDACTED }],
      email: 'a@example.com',
    });
  });

  it('masks registered secret values and bearer tokens inside free text and errors', () => {
    const r = new Redactor();
    r.addSecret('SEC-CANARY-123456');
    const err = new Error('upstream said SEC-CANARY-123456 was wrong');
    const out = r.redact({ message: 'calling with Authorization: Bearer eyJhbGciOi.abc.def', err });
    expect(JSON.stringify(out)).not.toContain('SEC-CANARY-123456');
    expect(JSON.stringify(out)).not.toContain('eyJhbGciOi');
  });

  it('survives circular structures', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(new Redactor().redact(a)).toEqual({ name: 'a', self: '[Circular]' });
  });
});
