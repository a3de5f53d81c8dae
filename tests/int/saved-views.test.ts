// Saved views, grid layouts and "select all matching rows" through the routes (supertest), with check R9 of
// security-reliability.md §1.10: a view (or its shared URL) never grants a column or a row its opener may not
// see, and a view id of another person can be neither opened, renamed, deleted nor made default.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { permissionWorld, plantHiddenCanary, postForm, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { pageOnceReady } from '../helpers/eventually.js';
import { csrfFrom, type Agent } from '../helpers/test-app.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

const flags = () => `/tables/${w.flagsId}`;
const gw = () => w.t.services.orgs.gatewayFor(w.orgId);
const matchCount = (html: string) => /id="match-count">(\d+) of (\d+) rows/.exec(html)!.slice(1).map(Number);
const headerColumns = (html: string) =>
  [...html.matchAll(/<th scope="col"[^>]*data-column="([^"]+)"/g)].map((m) => m[1]);

/** Tess (every column) saves a view that filters, sorts and orders by ActivatedBy, which Vic may not see. */
async function tessSavesSecretView(canary: string) {
  await plantHiddenCanary(w, canary);
  const saved = await postForm(w.users.tableEditor.agent, `${flags()}/views`, {
    name: 'On call',
    c0: 'ActivatedBy',
    o0: 'contains',
    v0: canary,
    sort: 'ActivatedBy',
    order: 'ActivatedBy',
  });
  expect(saved.status).toBe(303);
  const id = /view=([0-9a-f-]{36})/.exec(saved.headers.location!)![1]!;
  const page = await w.users.tableEditor.agent.get(saved.headers.location!);
  expect(page.status).toBe(200);
  expect(matchCount(page.text)[0]).toBe(1); // Tess's view finds the one row
  expect(headerColumns(page.text)[0]).toBe('ActivatedBy');
  const share = /class="share-link" href="([^"]+)"/.exec(page.text)![1]!.replace(/&amp;/g, '&');
  return { id, share };
}

describe('saved views and shared URLs (R9)', () => {
  it('a shared view URL shows the opener only her columns and rows, never the sharer’s', async () => {
    const canary = 'canary-7f3a';
    const { share } = await tessSavesSecretView(canary);
    expect(share).toContain('ActivatedBy');
    const vic = await w.users.viewer.agent.get(share);
    expect(vic.status).toBe(200);
    expect(vic.text).not.toContain('ActivatedBy');
    expect(vic.text).not.toContain(canary);
    expect(headerColumns(vic.text)).not.toContain('ActivatedBy');
    // The filter on a column she may not see is dropped, not applied: the count tells nothing about it.
    const [matched, total] = matchCount(vic.text);
    expect(matched).toBe(total);
    // Someone with no right on the table gets nothing from the URL either.
    expect((await w.users.none.agent.get(share)).status).toBe(404);
  });

  it('another person’s view id cannot be opened, renamed, deleted or made default', async () => {
    const { id } = await tessSavesSecretView('canary-1');
    const vic = w.users.viewer.agent;
    expect((await vic.get(`${flags()}?view=${id}`)).status).toBe(404);
    for (const [action, fields] of [
      ['rename', { name: 'mine now' }],
      ['delete', {}],
      ['default', { on: '1' }],
    ] as const) {
      const res = await postForm(vic, `${flags()}/views/${id}/${action}`, fields);
      expect(res.status, action).toBe(404);
    }
    const stored = await w.t.db.savedView.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({ name: 'On call', isDefault: false, userId: w.users.tableEditor.id });
    // Views are per org and table: her own id through another table's address is not found either.
    const other = await postForm(w.users.tableEditor.agent, `/tables/${w.hoursId}/views/${id}/rename`, {
      name: 'moved',
    });
    expect([403, 404]).toContain(other.status);
    expect((await w.t.db.savedView.findUniqueOrThrow({ where: { id } })).name).toBe('On call');
  });

  it('renames, makes default (the table opens with it), and deletes her own view', async () => {
    const tess = w.users.tableEditor.agent;
    const { id } = await tessSavesSecretView('canary-2');
    expect((await postForm(tess, `${flags()}/views/${id}/rename`, { name: 'Night shift' })).status).toBe(303);
    expect((await postForm(tess, `${flags()}/views/${id}/default`, { on: '1' })).status).toBe(303);
    const opened = await tess.get(flags());
    expect(opened.text).toContain('View: Night shift');
    expect(matchCount(opened.text)[0]).toBe(1);
    const plain = await tess.get(`${flags()}?view=none`);
    expect(plain.text).toContain('View: none');
    expect(matchCount(plain.text)[0]).toBe(matchCount(plain.text)[1]);
    const taken = await postForm(tess, `${flags()}/views`, { name: 'Night shift' });
    expect(taken.status).toBe(303);
    expect((await tess.get(taken.headers.location!)).text).toContain('You already have a view called “Night shift”');
    expect((await postForm(tess, `${flags()}/views/${id}/delete`)).status).toBe(303);
    expect(await w.t.db.savedView.count()).toBe(0);
    expect(matchCount((await tess.get(flags())).text)[0]).toBeGreaterThan(1);
  });
});

describe('grid layout', () => {
  it('hides and reorders columns for this person only, without JavaScript, and resets', async () => {
    const cole = w.users.columnEditor.agent;
    const saved = await cole
      .post(`${flags()}/layout`)
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(await csrf(cole))}&columnsForm=1&density=comfortable&` +
          'col=key&pos=2&col=Active&pos=3&col=Message&pos=1&col=Priority&pos=4&show=key&show=Message&show=Priority',
      );
    expect(saved.status).toBe(303);
    const page = await cole.get(flags());
    expect(headerColumns(page.text)).toEqual(['Message', 'key', 'Priority']);
    expect(page.text).toContain('density-comfortable');
    // Another person's grid is unchanged.
    expect(headerColumns((await w.users.viewer.agent.get(flags())).text)).toEqual([
      'key',
      'Active',
      'Message',
      'Priority',
    ]);
    // Widths from the grid's script (JSON answer); a column she may not see is not stored.
    const widths = await w.users.columnEditor.agent
      .post(`${flags()}/layout`)
      .set('Accept', 'application/json')
      .type('form')
      .send(`_csrf=${encodeURIComponent(await csrf(cole))}&wcol=Message&w=222&wcol=ActivatedBy&w=300`);
    expect(widths.body.layout.widths).toEqual({ Message: 222 });
    expect((await cole.get(flags())).text).toContain('data-widths="{&#34;Message&#34;:222}"');
    await postForm(cole, `${flags()}/layout`, { reset: '1' });
    expect(headerColumns((await cole.get(flags())).text)).toEqual(['key', 'Active', 'Message', 'Priority']);
  });
});

const csrf = (agent: Agent) => csrfFrom(agent, '/account');

describe('select all matching rows', () => {
  it('applies a bulk change to every row matching the search, recomputed on the server', async () => {
    const tess = w.users.tableEditor.agent;
    const rows = await (await gw()).readAllRows(w.flagsId);
    const wanted = rows.filter((r) => Object.values(r).some((v) => String(v).toLowerCase().includes('our')));
    expect(wanted.length).toBeGreaterThan(1);
    const preview = await postForm(tess, `${flags()}/bulk/preview`, {
      all: '1',
      q: 'our',
      action: 'set',
      column: 'Priority',
      value: '7',
    });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain(`Set Priority on ${wanted.length} row(s)?`);
    expect(preview.text).toMatch(new RegExp(`id="bulk-all-count"><strong>${wanted.length}</strong>`));
    expect(preview.text).toContain('Priority: before');
    const apply = await postForm(tess, `${flags()}/bulk/apply`, {
      all: '1',
      expected: String(wanted.length),
      q: 'our',
      action: 'set',
      column: 'Priority',
      value: '7',
    });
    expect(apply.status).toBe(303);
    const done = await pageOnceReady(tess, apply.headers.location!, 'the bulk change', (p) => !p.includes('Working…'));
    expect(done).toContain('See the changes in the audit log');
    const after = await (await gw()).readAllRows(w.flagsId);
    for (const r of after) expect(r.Priority === 7).toBe(wanted.some((x) => x.key === r.key));
  });

  it('refuses when the matching rows changed since the preview, and keeps the form after an error', async () => {
    const tess = w.users.tableEditor.agent;
    const stale = await postForm(tess, `${flags()}/bulk/apply`, {
      all: '1',
      expected: '999',
      action: 'delete',
    });
    expect(stale.status).toBe(400);
    expect(await w.writes()).toBe(0);
    // A refused preview returns to the same search with the ticked rows and the typed value.
    const bad = await postForm(tess, `${flags()}/bulk/preview`, {
      back: 'q=Main',
      q: 'Main',
      sel: 'Main Line',
      action: 'set',
      column: 'Priority',
      value: 'not a number',
    });
    expect(bad.status).toBe(303);
    expect(bad.headers.location).toBe(`${flags()}?q=Main`);
    const page = (await tess.get(bad.headers.location!)).text;
    expect(page).toMatch(/id="bulk-value" name="value" type="text" value="not a number"/);
    expect(page).toMatch(/value="Main Line" form="bulk-form" aria-label="Select Main Line" checked/);
    expect(page).toContain('value="Main" placeholder');
  });
});
