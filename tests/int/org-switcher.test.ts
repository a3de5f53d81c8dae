// Issue 16's small things about the top bar's org switcher: a user who may view no table of an org does not see
// it there and cannot switch to it by a crafted form; administrators see every org; an org's name is not
// repeated ("Sandbox (Sandbox)").
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { switcherName } from '../../src/features/orgs/org-context.js';
import { ADMIN_ACTOR, csrfFrom } from '../helpers/test-app.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
let otherId: string;
beforeEach(async () => {
  w = await permissionWorld();
  otherId = (
    await w.t.services.orgs.create(ADMIN_ACTOR, {
      name: 'Acme Prod',
      region: 'us_east_1',
      clientId: 'x',
      clientSecret: 'y',
      color: 'red',
      label: 'PROD',
      requestsPerMinute: '300',
    })
  ).id;
});
afterEach(async () => w.t.close());

/** The names in the top bar's org switcher of the page at `url`. */
async function switcherOptions(agent: PermissionWorld['admin'], url = '/'): Promise<string[]> {
  const html = (await agent.get(url)).text;
  const select = /<select id="org-switch"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '';
  return [...select.matchAll(/<option [^>]*>([^<]*)<\/option>/g)].map((m) => m[1]!);
}

describe('the org switcher', () => {
  it('lists only orgs where a user may view a table, and refuses switching to another', async () => {
    const tess = w.users.tableEditor.agent;
    expect(await switcherOptions(tess)).toEqual(['Sandbox']);
    const token = await csrfFrom(tess, '/');
    const refused = await tess.post('/orgs/current').type('form').send({ _csrf: token, orgId: otherId });
    expect(refused.status).toBe(404);
    expect((await tess.get('/')).text).not.toContain('Acme Prod');

    // A view right on one of its tables opens the org to her.
    await w.t.db.tablePermission.create({
      data: { userId: w.users.tableEditor.id, orgId: otherId, tableId: 'some-table', canView: true },
    });
    expect(await switcherOptions(tess)).toEqual(['Sandbox', 'Acme Prod']);
    await tess.post('/orgs/current').type('form').send({ _csrf: token, orgId: otherId }).expect(303);
    expect((await tess.get('/')).text).toContain('You are working in');

    // A right that does not include viewing (none saved without it) does not count: taken away, the org goes.
    await w.t.db.tablePermission.updateMany({ where: { orgId: otherId }, data: { canView: false } });
    expect(await switcherOptions(tess)).toEqual(['Sandbox']);
  });

  it('shows a user with no right anywhere no org at all', async () => {
    expect(await switcherOptions(w.users.none.agent)).toEqual([]);
    expect((await w.users.none.agent.get('/tables')).status).toBeLessThan(500);
  });

  it('lists every org for an administrator', async () => {
    expect(await switcherOptions(w.admin)).toEqual(['Sandbox', 'Acme Prod']);
  });

  it('does not repeat what an org’s name says already', () => {
    expect(switcherName({ name: 'Sandbox', isSandbox: true, readOnly: false })).toBe('Sandbox');
    expect(switcherName({ name: 'Demo', isSandbox: true, readOnly: false })).toBe('Demo (sandbox)');
    expect(switcherName({ name: 'Prod', isSandbox: false, readOnly: true })).toBe('Prod (read-only)');
    expect(switcherName({ name: 'Prod (read-only)', isSandbox: false, readOnly: true })).toBe('Prod (read-only)');
    expect(switcherName({ name: 'Play', isSandbox: true, readOnly: true })).toBe('Play (sandbox, read-only)');
  });
});
