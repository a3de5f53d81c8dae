// V1 (parameter pollution, ASVS 15.3.7) and V3 (prototype pollution, 15.3.6) of the security checklist: a
// single-valued field sent twice, or a `__proto__` / `constructor.prototype` key in a JSON or form body or a
// query string, is refused with 400 naming the field, before any route acts; nothing is written and no
// object prototype in the server changes. Fields that are lists by design (bulk row selection) still repeat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, type Agent } from '../helpers/test-app.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
let admin: Agent;
let token: string;
beforeAll(async () => {
  w = await permissionWorld();
  admin = w.admin;
  token = await csrfFrom(admin, '/account');
}, 60_000);
afterAll(async () => w.t.close());

const PASSWORD = 'violet harbor compass tundra 93';
const NEW_USER = `email=polluted%40example.com&displayName=Polly&role=USER&password=${encodeURIComponent(PASSWORD)}&passwordConfirm=${encodeURIComponent(PASSWORD)}`;

describe('parameter pollution (V1)', () => {
  it('refuses a single-valued form field sent twice, naming it, and writes nothing', async () => {
    const users = await w.t.db.user.count();
    const res = await admin.post('/admin/users').set('X-CSRF-Token', token).type('form').send(`${NEW_USER}&role=ADMIN`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('“role” was sent more than once');
    expect(await w.t.db.user.count()).toBe(users);
    const json = await admin
      .post('/admin/users')
      .set('X-CSRF-Token', token)
      .send({ email: ['a@example.com', 'b@example.com'], displayName: 'Polly', role: 'USER' });
    expect(json.status).toBe(400);
    expect(await w.t.db.user.count()).toBe(users);
    // The same form once is accepted (the refusal above was about the repetition).
    expect((await admin.post('/admin/users').set('X-CSRF-Token', token).type('form').send(NEW_USER)).status).toBe(303);
  });

  it('refuses a query parameter given twice', async () => {
    for (const url of [
      '/audit?before=5&before=1',
      `/tables/${w.flagsId}?sort=key&sort=Message`,
      `/tables/${w.flagsId}/export.csv?q=a&q=b`,
    ]) {
      const res = await admin.get(url);
      expect(res.status, url).toBe(400);
      expect(res.text, url).toContain('was sent more than once');
    }
  });

  it('still accepts fields that are lists by design', async () => {
    const res = await admin
      .post(`/tables/${w.flagsId}/bulk/preview`)
      .set('X-CSRF-Token', token)
      .type('form')
      .send('action=set&column=Message&value=x&sel=Main%20Line&sel=Billing%20Queue');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Billing Queue');
  });
});

describe('prototype pollution (V3)', () => {
  it('refuses __proto__ and constructor.prototype in JSON, form and query, and no prototype changes', async () => {
    const users = await w.t.db.user.count();
    const attempts = [
      admin
        .post('/admin/users')
        .set('X-CSRF-Token', token)
        .type('json')
        .send('{"__proto__":{"isAdmin":true},"email":"p1@example.com","displayName":"P","role":"USER"}'),
      admin
        .post('/admin/users')
        .set('X-CSRF-Token', token)
        .type('json')
        .send('{"constructor":{"prototype":{"polluted":1}},"email":"p2@example.com","displayName":"P","role":"USER"}'),
      admin
        .post('/admin/users')
        .set('X-CSRF-Token', token)
        .type('json')
        .send(
          '{"email":"p3@example.com","displayName":"P","role":"USER","deep":[{"a":{"__proto__":{"isAdmin":true}}}]}',
        ),
      admin
        .post('/admin/users')
        .set('X-CSRF-Token', token)
        .type('form')
        .send(`__proto__%5BisAdmin%5D=1&${NEW_USER.replace('polluted', 'p4')}`),
      admin.get('/audit?__proto__[isAdmin]=1'),
      admin.get('/audit?constructor[prototype][polluted]=1'),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status, res.text.slice(0, 300)).toBe(400);
      expect(res.text).toMatch(/field name “(__proto__|constructor)/);
    }
    expect(await w.t.db.user.count()).toBe(users);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('isAdmin');
  });
});
