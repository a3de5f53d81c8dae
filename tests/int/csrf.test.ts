// C1-C4 of the security checklist: every state-changing route (found by walking the app's registered routes,
// so a new route is covered automatically) refuses a missing, wrong or foreign token, and cross-site requests.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN,
  completeSetup,
  createTestApp,
  createUser,
  csrfFrom,
  signIn,
  type Agent,
  type TestApp,
} from '../helpers/test-app.js';

let t: TestApp;
let admin: Agent;
beforeEach(async () => {
  t = await createTestApp();
  admin = await completeSetup(t);
});
afterEach(async () => t.close());

const unsafeRoutes = () => t.routes.filter((r) => r.method !== 'get');
const concrete = (path: string) => path.replace(/:(\w+)/g, '1');

async function snapshot() {
  return { users: await t.db.user.count(), settings: await t.db.appSetting.findMany() };
}

describe('CSRF protection', () => {
  it('knows the state-changing routes (sanity check of the walk)', () => {
    const paths = unsafeRoutes().map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'post /login',
        'post /logout',
        'post /setup',
        'post /setup/connect',
        'post /requests/:id/approve',
        'post /tables/:tableId/rows/:ref/request',
      ]),
    );
  });

  it("refuses every non-GET route without a token, with a wrong token, and with another session's token", async () => {
    const other = t.agent();
    const othersToken = await csrfFrom(other, '/login');
    const validToken = await csrfFrom(admin, '/');
    const before = await snapshot();
    for (const route of unsafeRoutes()) {
      const url = concrete(route.path);
      for (const [label, token] of [
        ['missing', undefined],
        ['wrong', `${validToken}x`],
        ['foreign', othersToken],
      ] as const) {
        const req = admin[route.method](url).type('form');
        const res = await req.send(
          token === undefined ? { email: 'x@example.com' } : { _csrf: token, email: 'x@example.com' },
        );
        expect(res.status, `${route.method.toUpperCase()} ${url} with ${label} token`).toBe(403);
      }
    }
    expect(await snapshot()).toEqual(before);
    expect((await admin.get('/')).status).toBe(200); // still signed in: nothing was changed by the refused calls
  });

  it('never reads the token from the query string', async () => {
    const token = await csrfFrom(admin, '/');
    const res = await admin
      .post(`/logout?_csrf=${encodeURIComponent(token)}`)
      .type('form')
      .send({});
    expect(res.status).toBe(403);
  });

  it('accepts the token in the X-CSRF-Token header (for scripts on our own pages)', async () => {
    const token = await csrfFrom(admin, '/');
    const res = await admin.post('/logout').set('X-CSRF-Token', token).type('form').send({});
    expect(res.status).toBe(303);
  });

  it('refuses cross-site requests even with a valid token (Fetch Metadata and Origin)', async () => {
    const token = await csrfFrom(admin, '/');
    const crossSite = await admin
      .post('/logout')
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({ _csrf: token });
    expect(crossSite.status).toBe(403);
    const sameSite = await admin.post('/logout').set('Sec-Fetch-Site', 'same-site').type('form').send({ _csrf: token });
    expect(sameSite.status).toBe(403);
    const foreignOrigin = await admin
      .post('/logout')
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ _csrf: token });
    expect(foreignOrigin.status).toBe(403);
    const nullOrigin = await admin.post('/logout').set('Origin', 'null').type('form').send({ _csrf: token });
    expect(nullOrigin.status).toBe(403);
    expect((await admin.get('/')).status).toBe(200);
  });

  it('accepts a same-origin browser request', async () => {
    const server = t.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const agent = supertest.agent(server);
      const { res } = await signIn(t, ADMIN.email, ADMIN.password, agent);
      expect(res.status).toBe(303);
      const token = await csrfFrom(agent, '/');
      const out = await agent
        .post('/logout')
        .set('Origin', origin)
        .set('Sec-Fetch-Site', 'same-origin')
        .type('form')
        .send({ _csrf: token });
      expect(out.status).toBe(303);
    } finally {
      server.close();
    }
  });

  it('a token issued before sign-in stops working after sign-in', async () => {
    await createUser(t, { email: 'u@example.com', displayName: 'U', password: 'user has long password' });
    const agent = t.agent();
    const preLoginToken = await csrfFrom(agent, '/login');
    await agent
      .post('/login')
      .type('form')
      .send({ _csrf: preLoginToken, email: 'u@example.com', password: 'user has long password' })
      .expect(303);
    const res = await agent.post('/logout').type('form').send({ _csrf: preLoginToken });
    expect(res.status).toBe(403);
    expect((await agent.get('/')).status).toBe(200);
  });

  it('logs refused CSRF attempts', async () => {
    await signIn(t, ADMIN.email, ADMIN.password);
    await admin.post('/logout').type('form').send({});
    expect(t.logs.entries().some((e) => e.message === 'request refused' && e.reason === 'CsrfError')).toBe(true);
  });
});

describe('GET never changes state', () => {
  it('leaves users and settings untouched for every GET route', async () => {
    const before = await snapshot();
    for (const route of t.routes.filter((r) => r.method === 'get')) {
      await admin.get(concrete(route.path));
      await t.agent().get(concrete(route.path));
    }
    expect(await snapshot()).toEqual(before);
  });
});
