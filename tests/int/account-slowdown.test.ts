// Per-account slowdown across addresses, and the report of failed attempts at the next sign-in (issue 12,
// item 14). Time moves only by the test's manual clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, completeSetup, createTestApp, csrfFrom, type TestApp } from '../helpers/test-app.js';
import { countingBcrypt } from '../helpers/counting-bcrypt.js';

let t: TestApp;
let bcrypt: ReturnType<typeof countingBcrypt>;
beforeEach(async () => {
  bcrypt = countingBcrypt();
  t = await createTestApp({ bcrypt: bcrypt.engine });
  t.app.set('trust proxy', true);
  await completeSetup(t);
  bcrypt.take();
});
afterEach(async () => t.close());

const OWN_ADDRESS = '198.51.100.20';

async function attempt(ip: string, email: string, password: string) {
  const agent = t.agent();
  const token = await csrfFrom(agent, '/login');
  const res = await agent
    .post('/login')
    .set('X-Forwarded-For', ip)
    .type('form')
    .send({ _csrf: token, email, password });
  return { agent, res };
}

const retryAfter = (res: { headers: Record<string, string> }) => Number(res.headers['retry-after']);

describe('per-account slowdown', () => {
  it('lets few of 110 guesses from 11 addresses in 26 s reach the password check', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 110; i++) {
      const { res } = await attempt(`203.0.113.${(i % 11) + 1}`, ADMIN.email, `guess number ${i}`);
      statuses.push(res.status);
      if (res.status === 429) expect(retryAfter(res)).toBeGreaterThan(0);
      t.clock.advance(236);
    }
    const checked = statuses.filter((s) => s === 401).length;
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(checked).toBe(8); // 5 free, then waits of 2, 4 and 8 s fit in 26 s (the next would be 16 s)
    expect(bcrypt.take()).toHaveLength(checked); // a slowed attempt does no bcrypt work
  });

  it('makes each further attempt wait twice as long, and lets it through after the wait', async () => {
    for (let i = 0; i < 5; i++)
      expect((await attempt(`203.0.113.${i + 1}`, ADMIN.email, 'wrong guess here')).res.status).toBe(401);
    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      const slowed = (await attempt('203.0.113.50', ADMIN.email, ADMIN.password)).res;
      expect(slowed.status).toBe(429);
      expect(slowed.text).toContain('Too many failed sign-in attempts');
      waits.push(retryAfter(slowed));
      t.clock.advance(retryAfter(slowed) * 1000);
      expect((await attempt('203.0.113.50', ADMIN.email, 'wrong guess here')).res.status).toBe(401);
    }
    expect(waits).toEqual([2, 4, 8]);
  });

  it('treats an unknown account exactly like a real one', async () => {
    const run = async (email: string) => {
      const seen: string[] = [];
      for (let i = 0; i < 8; i++) {
        const { res } = await attempt(`203.0.113.${i + 1}`, email, 'wrong guess here');
        seen.push(`${res.status}/${res.headers['retry-after'] ?? '-'}`);
        t.clock.advance(500);
      }
      return seen;
    };
    expect(await run('nobody@example.com')).toEqual(await run(ADMIN.email));
  });

  it('never slows the owner down on an address they signed in from before', async () => {
    expect((await attempt(OWN_ADDRESS, ADMIN.email, ADMIN.password)).res.status).toBe(303);
    for (let i = 0; i < 12; i++) await attempt(`203.0.113.${i + 1}`, ADMIN.email, 'wrong guess here');
    expect((await attempt('192.0.2.77', ADMIN.email, ADMIN.password)).res.status).toBe(429); // a new address waits
    expect((await attempt(OWN_ADDRESS, ADMIN.email, ADMIN.password)).res.status).toBe(303);
  });

  it('the address the administrator was created from is theirs from the start', async () => {
    const fresh = await createTestApp();
    try {
      fresh.app.set('trust proxy', true);
      const agent = fresh.agent();
      const csrf = await csrfFrom(agent, '/setup');
      await agent
        .post('/setup')
        .set('X-Forwarded-For', OWN_ADDRESS)
        .type('form')
        .send({ _csrf: csrf, ...ADMIN, passwordConfirm: ADMIN.password })
        .expect(303);
      const known = await fresh.db.signInAddress.findMany();
      expect(known.map((k) => [k.ip, k.lastSuccessAt !== null])).toEqual([[OWN_ADDRESS, true]]);
    } finally {
      await fresh.close();
    }
  });

  it('a correct password from a new address is not counted as a failure', async () => {
    for (let i = 0; i < 4; i++) await attempt(`203.0.113.${i + 1}`, ADMIN.email, 'wrong guess here');
    expect((await attempt('192.0.2.77', ADMIN.email, ADMIN.password)).res.status).toBe(303);
    expect((await attempt('203.0.113.9', ADMIN.email, 'wrong guess here')).res.status).toBe(401); // still the 5th free one
  });
});

describe('failed attempts shown at the next sign-in', () => {
  it('tells the owner how many, when the last was and from where, once, and keeps it in the database', async () => {
    expect((await attempt(OWN_ADDRESS, ADMIN.email, ADMIN.password)).res.status).toBe(303);
    const quiet = await attempt(OWN_ADDRESS, ADMIN.email, ADMIN.password);
    expect((await quiet.agent.get('/')).text).not.toContain('Since your last sign-in');

    await attempt('203.0.113.1', ADMIN.email, 'wrong guess here');
    t.clock.advance(60_000);
    await attempt('203.0.113.2', ADMIN.email, 'wrong guess here');
    t.clock.advance(60_000);
    await attempt('203.0.113.2', ADMIN.email, 'wrong guess here');
    const rows = await t.db.signInAddress.findMany({
      where: { failedSinceSuccess: { gt: 0 } },
      orderBy: { ip: 'asc' },
    });
    expect(rows.map((r) => [r.ip, r.failedSinceSuccess])).toEqual([
      ['203.0.113.1', 1],
      ['203.0.113.2', 2],
    ]); // durable, not in memory
    t.clock.advance(5 * 60_000);

    const { agent, res } = await attempt(OWN_ADDRESS, ADMIN.email, ADMIN.password);
    expect(res.status).toBe(303);
    const page = (await agent.get(res.headers.location!)).text;
    expect(page).toContain(
      'Since your last sign-in there were 3 sign-in attempts with a wrong password on your account, the last at 2026-01-15 09:02 UTC, from 203.0.113.2, 203.0.113.1.',
    );

    const next = await attempt(OWN_ADDRESS, ADMIN.email, ADMIN.password);
    expect((await next.agent.get('/')).text).not.toContain('Since your last sign-in');
  });

  it('names five addresses and counts the rest', async () => {
    for (let i = 0; i < 7; i++) {
      await attempt(`203.0.113.${i + 1}`, ADMIN.email, 'wrong guess here');
      t.clock.advance(60_000); // past every delay
    }
    const { agent, res } = await attempt(OWN_ADDRESS, ADMIN.email, ADMIN.password);
    expect(res.status).toBe(303);
    expect((await agent.get('/')).text).toContain(
      'there were 7 sign-in attempts with a wrong password on your account, the last at 2026-01-15 09:06 UTC, from 203.0.113.7, 203.0.113.6, 203.0.113.5, 203.0.113.4, 203.0.113.3 and 2 other addresses.',
    );
    expect(await t.db.signInAddress.count({ where: { failedSinceSuccess: { gt: 0 } } })).toBe(0);
  });
});
