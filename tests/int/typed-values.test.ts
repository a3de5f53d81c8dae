// Typed values entered as text go through one parser (typed-value.ts) on every path: bulk "Set a column"
// (text or its yes/no select), the row form and the grid. "Yes" is true; nonsense is refused, column named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, type Agent } from '../helpers/test-app.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { pageOnceReady } from '../helpers/eventually.js';

let w: PermissionWorld;
let agent: Agent;
let token: string;
beforeAll(async () => {
  w = await permissionWorld();
  agent = w.users.tableEditor.agent;
  token = await csrfFrom(agent, '/account');
});
afterAll(async () => w.t.close());

const flags = () => `/tables/${w.flagsId}`;
const active = async (key: string) =>
  (await (await w.t.services.orgs.gatewayFor(w.orgId)).getRow(w.flagsId, key))!.Active;
const SEL = ['Main Line', 'Billing Queue'];
const bulkBody = (fields: Record<string, string>) =>
  `_csrf=${encodeURIComponent(token)}&action=set&column=Active&${Object.entries(fields)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&')}&${SEL.map((s) => `sel=${encodeURIComponent(s)}`).join('&')}`;

async function bulkSet(fields: Record<string, string>): Promise<void> {
  const preview = await agent.post(`${flags()}/bulk/preview`).type('form').send(bulkBody(fields));
  expect(preview.status).toBe(200);
  const value = /<input type="hidden" name="value" value="([^"]*)">/.exec(preview.text)![1]!;
  const apply = await agent.post(`${flags()}/bulk/apply`).type('form').send(bulkBody({ value }));
  expect(apply.status).toBe(303);
  await pageOnceReady(agent, apply.headers.location!, 'the bulk change', (page) => !page.includes('Working…'));
}

describe('bulk "Set a column" on a yes/no column', () => {
  it('writes true for "Yes" typed as text, and the preview says so', async () => {
    expect(await active('Main Line')).toBe(false);
    const preview = await agent
      .post(`${flags()}/bulk/preview`)
      .type('form')
      .send(bulkBody({ value: ' Yes ' }));
    expect(preview.text).toMatch(/<td class="value">No<\/td><td class="value"><strong>Yes<\/strong><\/td>/); // as the grid shows yes/no
    await bulkSet({ value: ' Yes ' });
    for (const key of SEL) expect(await active(key)).toBe(true);
  });

  it('writes what the yes/no select says', async () => {
    await bulkSet({ value: '', yesNo: 'no' });
    for (const key of SEL) expect(await active(key)).toBe(false);
    await bulkSet({ value: 'TRUE' });
    for (const key of SEL) expect(await active(key)).toBe(true);
  });

  it('refuses nonsense with the column named, writing nothing', async () => {
    const writes = w.writes();
    const res = await agent
      .post(`${flags()}/bulk/preview`)
      .type('form')
      .send(bulkBody({ value: 'maybe' }));
    expect(res.status).toBe(303);
    expect((await agent.get(flags())).text).toContain('Active must be yes or no');
    expect(w.writes()).toBe(writes);
  });

  it('offers a yes/no select in the bulk form', async () => {
    expect((await agent.get(flags())).text).toContain('<select id="bulk-yes-no" name="yesNo"');
  });
});

describe('the row form and the grid use the same parser', () => {
  it('reads "no" and "1" and refuses "nonsense" naming the column', async () => {
    const save = (fields: Record<string, string>) =>
      agent
        .post(`${flags()}/rows/${encodeURIComponent('Weather Closure')}`)
        .set('Accept', 'application/json')
        .type('form')
        .send({ _csrf: token, ...fields });
    expect((await save({ 'b:Active': '1', 'f:Active': '1' })).body).toMatchObject({ ok: true, changed: ['Active'] });
    expect(await active('Weather Closure')).toBe(true);
    expect((await save({ 'b:Active': '1', 'f:Active': 'no' })).body).toMatchObject({ ok: true });
    expect(await active('Weather Closure')).toBe(false);
    const bad = await save({ 'b:Active': '1', 'f:Active': 'nonsense' });
    expect(bad.status).toBe(400);
    expect(bad.body.fieldErrors).toEqual({ Active: expect.stringContaining('Active must be yes or no') });
    const badNumber = await save({ 'f:Priority': '2.5' });
    expect(badNumber.body.fieldErrors).toEqual({ Priority: 'Priority must be a whole number, like 42.' });
  });
});
