import { afterEach, describe, expect, it } from 'vitest';
import { completeSetup, createTestApp, csrfFrom, type TestApp } from '../helpers/test-app.js';

let t: TestApp | undefined;
afterEach(async () => t?.close());

function parseCsp(header: string): Record<string, string> {
  return Object.fromEntries(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k!, v.join(' ')]),
  );
}

describe('security headers', () => {
  it('sends a strict CSP and the baseline headers on every HTML page', async () => {
    t = await createTestApp();
    const admin = await completeSetup(t);
    for (const [agent, url] of [
      [t.agent(), '/login'],
      [admin, '/'],
      [t.agent(), '/nope'],
    ] as const) {
      const res = await agent.get(url);
      const csp = parseCsp(res.headers['content-security-policy'] as string);
      expect(csp['object-src'], url).toBe("'none'");
      expect(csp['base-uri']).toBe("'none'");
      expect(csp['frame-ancestors']).toBe("'none'");
      expect(csp['script-src']).toBe("'self'");
      expect(csp['script-src-attr']).toBe("'none'");
      expect(csp['default-src']).toBe("'self'");
      expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000; includeSubDomains/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBeTruthy();
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('has no inline scripts or event-handler attributes in any page', async () => {
    t = await createTestApp();
    const admin = await completeSetup(t);
    for (const res of [await t.agent().get('/login'), await admin.get('/'), await t.agent().get('/nope')]) {
      expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(res.text).not.toMatch(/\son[a-z]+=/i);
    }
  });

  it('session cookie is HttpOnly, SameSite=Lax, Path=/, no Domain; not Secure on plain HTTP', async () => {
    t = await createTestApp();
    const res = await t.agent().get('/setup');
    const cookie = (res.headers['set-cookie'] as unknown as string[])[0]!;
    expect(cookie).toMatch(/^dtm\.sid=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('behind a trusted HTTPS proxy the cookie is Secure with the __Host- prefix', async () => {
    t = await createTestApp({ env: { TRUST_PROXY: 'loopback' } });
    const res = await t.agent().get('/setup').set('X-Forwarded-Proto', 'https');
    const cookie = (res.headers['set-cookie'] as unknown as string[])[0]!;
    expect(cookie).toMatch(/^__Host-dtm\.sid=/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain('upgrade-insecure-requests');
  });

  it('signed-in pages are never cached', async () => {
    t = await createTestApp();
    const admin = await completeSetup(t);
    const res = await admin.get('/');
    expect(res.headers['cache-control']).toBe('no-store');
    await csrfFrom(admin, '/');
  });

  it('serves static files with a cache lifetime and the same headers', async () => {
    t = await createTestApp();
    const res = await t.agent().get('/css/app.css');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toMatch(/max-age=3600/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
