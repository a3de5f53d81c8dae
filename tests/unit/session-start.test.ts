// startSignedInSession without a server: a fake request whose session store hands out a new session object
// (and id) on regenerate, as express-session does.
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { startSignedInSession } from '../../src/lib/session.js';

interface FakeSession extends Record<string, unknown> {
  id: string;
  regenerate(cb: (err?: unknown) => void): void;
}

function fakeRequest(before: Record<string, unknown>) {
  let ids = 0;
  const destroyed: string[] = [];
  const req = {
    ip: '203.0.113.9',
    get: (h: string) => (h === 'user-agent' ? `Browser/1.0 ${'x'.repeat(400)}` : undefined),
  } as { ip: string; get(h: string): string | undefined; session: FakeSession };
  const newSession = (data: Record<string, unknown>): FakeSession => ({
    ...data,
    id: `sid-${ids++}`,
    regenerate(cb) {
      destroyed.push(req.session.id);
      req.session = newSession({});
      cb();
    },
  });
  req.session = newSession(before);
  return { req, asRequest: req as unknown as Request, destroyed };
}

const clock = new ManualClock(1_000_000);

describe('starting a signed-in session', () => {
  it('at sign-in: a new id, nothing of the session before it, and who, since when and from where', async () => {
    const { req, asRequest, destroyed } = fakeRequest({
      csrfSecret: 'planted',
      currentOrgId: 'planted-org',
      userId: 99,
    });
    await startSignedInSession(asRequest, { id: 7 }, clock);
    expect(destroyed).toEqual(['sid-0']);
    const { id, regenerate, ...stored } = req.session;
    expect(id).toBe('sid-1');
    expect(typeof regenerate).toBe('function');
    expect(stored).toEqual({
      userId: 7,
      createdAt: 1_000_000,
      lastSeenAt: 1_000_000,
      ip: '203.0.113.9',
      userAgent: `Browser/1.0 ${'x'.repeat(288)}`,
    });
  });

  it('after a password change: a new id, keeping the sign-in time, org choice and device', async () => {
    const { req, asRequest, destroyed } = fakeRequest({
      userId: 7,
      createdAt: 500,
      lastSeenAt: 900,
      currentOrgId: 'org-1',
      ip: '198.51.100.1',
      userAgent: 'Old/1',
      keptSelection: { tableId: 't', refs: [] },
    });
    await startSignedInSession(asRequest, { id: 7 }, clock, { continuing: true });
    expect(destroyed).toEqual(['sid-0']);
    const { id, regenerate, ...stored } = req.session;
    expect(id).toBe('sid-1');
    expect(typeof regenerate).toBe('function');
    expect(stored).toEqual({
      userId: 7,
      createdAt: 500,
      lastSeenAt: 1_000_000,
      currentOrgId: 'org-1',
      ip: '198.51.100.1',
      userAgent: 'Old/1',
    });
  });
});
