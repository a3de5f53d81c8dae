// Keys that URLs mangle (`.`, `..`, `a/b`, `%`, spaces, emoji) through the app's own row pages and bulk
// delete, and the rules for new keys (dot segments, blanks at the ends, control characters refused; a key
// differing only by case or spacing from an existing one warned about and saved once confirmed).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../helpers/test-app.js';
import { csrfFrom } from '../helpers/test-app.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { pageOnceReady } from '../helpers/eventually.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

const flags = () => `/tables/${w.flagsId}`;
const gw = () => w.t.services.orgs.gatewayFor(w.orgId);
const ODD_KEYS = ['.', '..', 'a/b', '%', '100%25', 'two  words', '😀 emoji', '~tilde'];

async function addOddRows(): Promise<void> {
  const g = await gw();
  for (const key of ODD_KEYS)
    await g.createRow(w.flagsId, { key, Active: false, Message: `row ${key}`, Priority: 1, ActivatedBy: '' });
}

const unescapeHtml = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);

/** Each grid row's link and bulk-selection reference, by the row's key. */
async function gridRows(agent: Agent): Promise<Map<string, { href: string; ref: string }>> {
  const page = await agent.get(`${flags()}?pageSize=100`);
  const rows = new Map<string, { href: string; ref: string }>();
  for (const m of page.text.matchAll(
    /<tr data-row-url="([^"]+)"[^>]*><td><input type="checkbox" name="sel" value="([^"]*)"[\s\S]*?data-column="key" data-value="([^"]*)"/g,
  )) {
    rows.set(unescapeHtml(m[3]!), { href: unescapeHtml(m[1]!), ref: unescapeHtml(m[2]!) });
  }
  return rows;
}

/** What a browser requests for a link: the URL as resolved and normalised by WHATWG URL. */
const asBrowserSends = (href: string) => new URL(href, 'http://app.example').pathname;

const finishedJob = (agent: Agent, url: string) =>
  pageOnceReady(agent, url, 'the bulk job', (page) => !page.includes('Working…'));

describe('row pages for keys that URLs mangle', () => {
  it('every row link survives browser normalisation and opens its own row, edit and delete pages', async () => {
    await addOddRows();
    const agent = w.users.tableEditor.agent;
    const rows = await gridRows(agent);
    for (const key of ODD_KEYS) {
      const href = rows.get(key)?.href;
      expect(href, key).toBeDefined();
      expect(asBrowserSends(href!), key).toBe(href);
      const form = await agent.get(asBrowserSends(href!));
      expect(form.status, key).toBe(200);
      expect(form.text, key).toContain(`value="row ${key.replace(/&/g, '&amp;')}"`);
      const del = await agent.get(asBrowserSends(`${href!}/delete`));
      expect(del.status, key).toBe(200);
      expect(del.text).toContain('Delete a row');
    }
    expect(rows.get('..')!.href).toBe(`${flags()}/rows/~Li4`);
    expect((await agent.get(`${flags()}/rows/~Li4x`)).status).toBe(404); // a made-up escaped reference is not guessed at
  });

  it('bulk delete of `..` leaves the table and that row, says why; other selected rows are deleted', async () => {
    await addOddRows();
    const agent = w.users.tableEditor.agent;
    const rows = await gridRows(agent);
    const refs = ['..', '.', 'a/b'].map((k) => rows.get(k)!.ref);
    const token = await csrfFrom(agent, '/account');
    const body = `_csrf=${encodeURIComponent(token)}&action=delete&${refs.map((r) => `sel=${encodeURIComponent(r)}`).join('&')}`;
    const preview = await agent.post(`${flags()}/bulk/preview`).type('form').send(body);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('1 of 3 row(s) will change; <strong>2 cannot be changed</strong>'); // not "3 of 3"

    const apply = await agent.post(`${flags()}/bulk/apply`).type('form').send(body);
    expect(apply.status).toBe(303);
    const report = await finishedJob(agent, apply.headers.location!);
    const g = await gw();
    expect((await g.listTables()).some((t) => t.id === w.flagsId)).toBe(true);
    expect(report).toContain('This row’s key is “..”. Genesys Cloud addresses a row by its key in a URL');
    const keys = (await g.readAllRows(w.flagsId)).map((r) => String(r.key));
    expect(keys).toContain('..');
    expect(keys).toContain('.');
    expect(keys).not.toContain('a/b');
    expect(keys).toContain('Main Line');
  });

  it('a refused bulk preview returns to the table with the same rows still ticked', async () => {
    await addOddRows();
    const agent = w.users.tableEditor.agent;
    const rows = await gridRows(agent);
    const refs = ['a/b', '%'].map((k) => rows.get(k)!.ref);
    const token = await csrfFrom(agent, '/account');
    const body = `_csrf=${encodeURIComponent(token)}&action=set&column=Priority&value=lots&${refs.map((r) => `sel=${encodeURIComponent(r)}`).join('&')}`;
    const refused = await agent.post(`${flags()}/bulk/preview`).type('form').send(body);
    expect(refused.status).toBe(303);
    const page = (await agent.get(refused.headers.location!)).text;
    expect(page).toContain('Priority');
    const ticked = [...page.matchAll(/name="sel" value="([^"]*)"[^>]*checked>/g)].map((m) => unescapeHtml(m[1]!));
    expect(ticked.sort()).toEqual([...refs].sort());
    expect((await agent.get(flags())).text).not.toMatch(/name="sel"[^>]*checked>/); // kept once only
  });

  it('a deleted row is named in the message', async () => {
    await addOddRows();
    const agent = w.users.tableEditor.agent;
    const href = (await gridRows(agent)).get('a/b')!.href;
    const res = await agent
      .post(`${href}/delete`)
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/account') });
    expect(res.status).toBe(303);
    expect((await agent.get(res.headers.location!)).text).toContain('Deleted the row “a/b”.');
  });

  it('the row and delete pages of `.` and `..` explain why they cannot be changed and offer no Save, Rename or Delete', async () => {
    await addOddRows();
    const agent = w.users.tableEditor.agent;
    const rows = await gridRows(agent);
    const grid = (await agent.get(`${flags()}?pageSize=100`)).text;
    for (const key of ['.', '..']) {
      const href = rows.get(key)!.href;
      expect(grid).not.toContain(`${href}/delete`);
      const page = (await agent.get(href)).text;
      expect(page).toContain(`This row’s key is “${key}”. Genesys Cloud addresses a row by its key in a URL`);
      expect(page).not.toMatch(/<button[^>]*>Save<\/button>/);
      expect(page).not.toContain('Rename the key');
      const del = (await agent.get(`${href}/delete`)).text;
      expect(del).toContain('This row cannot be deleted here');
      expect(del).not.toContain('Delete the row</button>');
    }
    const other = rows.get('a/b')!.href; // positive control
    expect(grid).toContain(`${other}/delete`);
    expect((await agent.get(other)).text).toMatch(/<button[^>]*>Save<\/button>/);
    expect((await agent.get(`${other}/delete`)).text).toContain('Delete the row</button>');
  });

  it('saving the row `..` is refused with the reason and nothing is sent', async () => {
    await addOddRows();
    const agent = w.users.tableEditor.agent;
    const token = await csrfFrom(agent, '/account');
    const writes = w.writes();
    const res = await agent.post(`${flags()}/rows/~Li4`).type('form').send({ _csrf: token, 'f:Message': 'changed' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('cannot update the row with the key “..”');
    expect(w.writes()).toBe(writes);
    const rename = await agent.post(`${flags()}/rows/~Li4/rename`).type('form').send({ _csrf: token, newKey: 'dots' });
    expect(rename.status).toBe(400);
    expect(await (await gw()).getRow(w.flagsId, 'dots')).toBeNull(); // no half-done rename
  });
});

describe('new keys', () => {
  const create = async (key: string, extra: Record<string, string> = {}) => {
    const agent = w.users.tableEditor.agent;
    return agent
      .post(`${flags()}/rows`)
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/account'), 'f:key': key, 'f:Message': 'new', ...extra });
  };

  it('refuses `.`, `..`, blanks at either end and control characters, naming the problem', async () => {
    const writes = w.writes();
    for (const [key, message] of [
      ['.', 'A key cannot be “.”'],
      ['..', 'A key cannot be “..”'],
      [' leading', 'starts or ends with a space'],
      ['trailing ', 'starts or ends with a space'],
      ['tab\there', 'control character'],
      ['line\nbreak', 'control character'],
    ]) {
      const res = await create(key!);
      expect(res.status, key).toBe(400);
      expect(res.text, key).toContain(message);
    }
    expect(w.writes()).toBe(writes);
  });

  it('warns about a key differing only by case or spacing, and adds it once confirmed', async () => {
    const first = await create('main  LINE');
    expect(first.status).toBe(400);
    expect(first.text).toContain('This table already has “Main Line”');
    expect(first.text.split('This table already has').length - 1).toBe(1); // once, next to the key field
    expect(first.text).toMatch(
      /<p class="confirm-key"><input id="confirm-key"[^>]*> <label for="confirm-key">Yes, use this key<\/label><\/p>/,
    );
    expect(first.text).toContain('name="confirmKey" value="main  LINE"');
    expect(await (await gw()).getRow(w.flagsId, 'main  LINE')).toBeNull();
    expect((await create('main  LINE', { confirmKey: 'other key' })).status).toBe(400); // confirms only the key it was shown for
    const confirmed = await create('main  LINE', { confirmKey: 'main  LINE' });
    expect(confirmed.status).toBe(303);
    expect(await (await gw()).getRow(w.flagsId, 'main  LINE')).toMatchObject({ Message: 'new' });
  });

  it('applies the same rules to a rename, which no longer trims silently', async () => {
    const agent = w.users.tableEditor.agent;
    const token = await csrfFrom(agent, '/account');
    const spaced = await agent
      .post(`${flags()}/rows/${encodeURIComponent('Billing Queue')}/rename`)
      .type('form')
      .send({ _csrf: token, newKey: ' Billing Line' });
    expect(spaced.status).toBe(400);
    expect(spaced.text).toContain('starts or ends with a space');
    const similar = await agent
      .post(`${flags()}/rows/${encodeURIComponent('Billing Queue')}/rename`)
      .type('form')
      .send({ _csrf: token, newKey: 'main line' });
    expect(similar.status).toBe(400);
    expect(similar.text).toContain('name="confirmKey" value="main line"');
    const caseOnly = await agent
      .post(`${flags()}/rows/${encodeURIComponent('Billing Queue')}/rename`)
      .type('form')
      .send({ _csrf: token, newKey: 'Billing queue' });
    expect(caseOnly.status).toBe(303); // the row's own old key does not count as "another" key
  });
});
