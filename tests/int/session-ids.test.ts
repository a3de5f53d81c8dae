// S4 and S10 of the security checklist. S4: session ids come from express-session's own generator (uid-safe,
// 24 random bytes from the CSPRNG): many sessions, all ids unique, each ≥ 128 bits, no position fixed (a UUID
// or Math.random() id has fixed characters), and no `genid` override in the code. S10: a signed-in user's
// session id never appears in a URL (Location headers, links), a page (error pages included) or a log line.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/lib/paths.js';
import {
  ADMIN,
  completeSetup,
  createTestApp,
  csrfFrom,
  flushedLogFiles,
  signIn,
  type TestApp,
} from '../helpers/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'silly' } });
  await completeSetup(t);
});
afterEach(async () => t.close());

/** The session id inside a `dtm.sid=s:<id>.<signature>` cookie. */
function sessionIdOf(setCookie: unknown): string | undefined {
  const cookie = ((setCookie as string[] | undefined) ?? []).find((c) => c.startsWith('dtm.sid='));
  const value = cookie ? decodeURIComponent(cookie.slice('dtm.sid='.length).split(';')[0]!) : undefined;
  return value ? /^s:([^.]+)\./.exec(value)?.[1] : undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('session ids (S4)', () => {
  it('are unique, at least 128 bits, with no fixed character, for anonymous sessions and sign-ins alike', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 600; i++) {
      const id = sessionIdOf((await t.agent().get('/login')).headers['set-cookie']); // the CSRF secret starts a session
      expect(id, 'GET /login starts a session').toBeDefined();
      ids.push(id!);
    }
    for (let i = 0; i < 10; i++) {
      const { res } = await signIn(t, ADMIN.email, ADMIN.password);
      ids.push(sessionIdOf(res.headers['set-cookie'])!);
    }
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/); // base64url
      expect(Buffer.from(id, 'base64url').length, id).toBeGreaterThanOrEqual(16);
    }
    // Every character position takes several values: a UUID's dashes and version digit, or the "0." of a
    // Math.random() string, would stay fixed over hundreds of ids.
    const length = Math.min(...ids.map((id) => id.length));
    for (let p = 0; p < length; p++) expect(new Set(ids.map((id) => id[p])).size, `position ${p}`).toBeGreaterThan(8);
    // The stored sessions are keyed by the same ids.
    expect(await t.db.session.count({ where: { sid: { in: ids.slice(0, 50) } } })).toBe(50);
  }, 60_000);

  it("never replaces express-session's id generator", () => {
    const overrides = sourceFiles(path.join(projectRoot, 'src')).filter((f) =>
      /\bgenid\b/.test(readFileSync(f, 'utf8')),
    );
    expect(overrides).toEqual([]);
  });
});

describe('session id exposure (S10)', () => {
  it('never puts the session id in a URL, a page, an error page or a log line', async () => {
    const { agent, res } = await signIn(t, ADMIN.email, ADMIN.password);
    const sid = sessionIdOf(res.headers['set-cookie'])!;
    const signedCookie = decodeURIComponent(/dtm\.sid=([^;]+)/.exec(String(res.headers['set-cookie']))![1]!);
    const token = await csrfFrom(agent, '/account');
    // Everything a response shows besides the cookie itself (which carries the id by design).
    const shown = (page: { text: string; headers: Record<string, unknown> }) => [
      page.text,
      JSON.stringify({ ...page.headers, 'set-cookie': undefined }),
    ];
    const seen: string[] = shown(res);
    const pages = [
      '/',
      '/account',
      '/admin/users',
      '/admin/orgs',
      '/audit',
      '/backups',
      '/tables',
      '/no-such-page',
      '/admin/users/abc',
      '/audit?before=abc',
      '/audit/999999',
    ];
    for (const url of pages) {
      const page = await agent.get(url);
      seen.push(...shown(page));
    }
    // Refused writes: a CSRF failure, a validation failure, and the JSON error form.
    for (const page of [
      await agent.post('/account/password').type('form').send({ _csrf: 'wrong' }),
      await agent.post('/account/password').type('form').send({ _csrf: token, currentPassword: 'x' }),
      await agent.get('/no-such-page').set('Accept', 'application/json'),
      await agent.post('/logout').type('form').send({ _csrf: token }),
    ]) {
      seen.push(...shown(page));
    }
    const logFiles = (await flushedLogFiles(t)).map((f) => f.text);
    const everything = [...seen, ...t.logs.lines, ...logFiles].join('\n');
    expect(t.logs.lines.length).toBeGreaterThan(10);
    expect(everything).not.toContain(sid);
    expect(everything).not.toContain(signedCookie);
    expect(everything).not.toContain(encodeURIComponent(signedCookie));
  });
});
