// Column formats as administrators set them (services.formats and the per-table formats page): who may, what
// fits which Genesys type, the audit entries, the rows that break a new format (listed, never changed), and
// where the formats show (table headers, row form, rights page).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ValidationError } from '../../src/lib/errors.js';
import { ForbiddenError, NotFoundError } from '../../src/lib/errors.js';
import { ADMIN_ACTOR, actorOfUser, csrfFrom } from '../helpers/test-app.js';
import {
  permissionWorld,
  postForm,
  rowUrlIn,
  sandboxTable,
  type PermissionWorld,
} from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

const formats = () => w.t.services.formats;
const org = () => w.t.services.orgs.get(w.orgId);
const pageUrl = (tableId: string) => `/admin/orgs/${w.orgId}/tables/${tableId}/formats`;
const hoursRow = (key: string) => sandboxTable(w, 'Opening Hours').rows.get(key)!;

async function breakRow(key: string, values: Record<string, string>) {
  const g = await w.t.services.orgs.gatewayFor(w.orgId);
  await g.updateRow(w.hoursId, key, { ...hoursRow(key), ...values });
}

describe('saving a format', () => {
  it('is for administrators only: a refusal stores and records nothing', async () => {
    const tess = await actorOfUser(w.t, w.users.tableEditor.id);
    await expect(formats().save(tess, await org(), w.flagsId, 'Message', { kind: 'email' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(await w.t.db.columnFormat.count()).toBe(0);
    expect(await w.t.db.auditEvent.count({ where: { action: { startsWith: 'format.' } } })).toBe(0);
  });

  it('is audited with the format before and after; the same again records nothing', async () => {
    const o = await org();
    await formats().save(ADMIN_ACTOR, o, w.hoursId, 'Open', { kind: 'time' });
    await formats().save(ADMIN_ACTOR, o, w.hoursId, 'Open', { kind: 'time' });
    await formats().save(ADMIN_ACTOR, o, w.hoursId, 'Open', { kind: 'timerange' });
    await formats().save(ADMIN_ACTOR, o, w.hoursId, 'Open', null);
    await formats().save(ADMIN_ACTOR, o, w.hoursId, 'Open', null);
    const entries = await w.t.db.auditEvent.findMany({
      where: { action: { startsWith: 'format.' } },
      orderBy: { seq: 'asc' },
    });
    expect(entries.map((e) => [e.action, e.before, e.after])).toEqual([
      ['format.set', null, JSON.stringify({ kind: 'time' })],
      ['format.set', JSON.stringify({ kind: 'time' }), JSON.stringify({ kind: 'timerange' })],
      ['format.cleared', JSON.stringify({ kind: 'timerange' }), null],
    ]);
    expect(JSON.parse(entries[0]!.details!)).toEqual({ table: 'Opening Hours', column: 'Open' });
    expect(entries.every((e) => e.tableId === w.hoursId && e.orgId === w.orgId)).toBe(true);
    expect((await formats().forTable(w.orgId, w.hoursId)).size).toBe(0);
  });

  it('refuses a format that does not fit the Genesys type, naming why', async () => {
    const o = await org();
    const refusal = async (column: string, spec: Parameters<ReturnType<typeof formats>['save']>[4]) =>
      (
        (await formats()
          .save(ADMIN_ACTOR, o, w.flagsId, column, spec)
          .catch((e: unknown) => e)) as ValidationError
      ).fieldErrors;
    expect((await refusal('Active', { kind: 'date' })).kind).toBe('Active is a yes/no column: it takes no format.');
    expect((await refusal('Priority', { kind: 'date' })).kind).toMatch(/Priority is a whole-number column/);
    expect((await refusal('Priority', { kind: 'list', values: ['1', 'high'] })).kind).toBe(
      'Priority holds whole numbers: “high” cannot be one of its values.',
    );
    expect((await refusal('Priority', { kind: 'list', values: ['1', '2.5'] })).kind).toMatch(/“2.5”/);
    expect((await refusal('Message', { kind: 'pattern', pattern: '(a+)+', message: 'm' })).pattern).toMatch(
      /repeats a group/,
    );
    expect((await refusal('Message', { kind: 'range', min: 5, max: 1 })).max).toMatch(/below the lowest/);
    expect((await refusal('Message', { kind: 'list', values: ['A', 'a'] })).values).toMatch(/twice/);
    await expect(formats().save(ADMIN_ACTOR, o, w.flagsId, 'Nope', { kind: 'date' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await w.t.db.columnFormat.count()).toBe(0);
    // A number column takes a range or a list of its numbers.
    await formats().save(ADMIN_ACTOR, o, w.flagsId, 'Priority', { kind: 'list', values: ['1', '2', '3'] });
    await formats().save(ADMIN_ACTOR, o, w.flagsId, 'Priority', { kind: 'range', min: 1, max: 5 });
    expect((await formats().forTable(w.orgId, w.flagsId)).get('Priority')).toEqual({ kind: 'range', min: 1, max: 5 });
  });

  it('keeps formats per org: another org has none of them', async () => {
    await formats().save(ADMIN_ACTOR, await org(), w.hoursId, 'Open', { kind: 'time' });
    expect((await formats().forTable('another-org', w.hoursId)).size).toBe(0);
    expect((await formats().forTable(w.orgId, w.hoursId)).size).toBe(1);
  });
});

describe('rows that break a new format', () => {
  it('are listed with the reason, never changed; empty values are no value', async () => {
    await breakRow('Sales/Mon', { Open: '8am' });
    await breakRow('Sales/Tue', { Open: '8:00' }); // fits: written as 08:00 only when next saved
    const o = await org();
    await formats().save(ADMIN_ACTOR, o, w.hoursId, 'Open', { kind: 'time' });
    const v = await formats().violations(ADMIN_ACTOR, o, w.hoursId, 'Open');
    expect(v.total).toBe(1);
    expect(v.rows).toEqual([
      {
        ref: 'Sales/Mon',
        key: 'Sales/Mon',
        value: '8am',
        message: 'Open must be a time of day, HH:MM on the 24-hour clock like 17:30; “8am” is not.',
      },
    ]);
    expect(v.checked).toBe(21);
    expect(hoursRow('Sales/Mon').Open).toBe('8am');
    expect(hoursRow('Sales/Tue').Open).toBe('8:00');
  });

  it('are asked for only by someone who may see the column', async () => {
    const o = await org();
    await formats().save(ADMIN_ACTOR, o, w.flagsId, 'ActivatedBy', { kind: 'email' });
    const vic = await actorOfUser(w.t, w.users.viewer.id);
    await expect(formats().violations(vic, o, w.flagsId, 'ActivatedBy')).rejects.toBeInstanceOf(NotFoundError);
    expect((await formats().violations(vic, o, w.flagsId, 'Message')).total).toBe(0);
    const nora = await actorOfUser(w.t, w.users.none.id);
    await expect(formats().violations(nora, o, w.flagsId, 'Message')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('the formats page', () => {
  it('is for administrators only', async () => {
    expect((await w.users.tableEditor.agent.get(pageUrl(w.flagsId))).status).toBe(403);
    const res = await postForm(w.users.tableEditor.agent, pageUrl(w.flagsId), { column: 'Message', kind: 'email' });
    expect(res.status).toBe(403);
    expect(await w.t.db.columnFormat.count()).toBe(0);
  });

  it('refuses a save without a valid CSRF token', async () => {
    const res = await w.admin.post(pageUrl(w.hoursId)).type('form').send({ column: 'Open', kind: 'time' });
    expect(res.status).toBe(403);
    expect(await w.t.db.columnFormat.count()).toBe(0);
  });

  it('answers 404 for a table the org does not have', async () => {
    expect((await w.admin.get(pageUrl('no-such-table'))).status).toBe(404);
  });

  it('saves a format and lists the rows that break it', async () => {
    await breakRow('Support/Sat', { Open: '25:00' });
    const page = await w.admin.get(pageUrl(w.hoursId));
    expect(page.status).toBe(200);
    expect(page.text).toContain('Column formats');
    expect(page.text).toMatch(/A yes\/no column takes no format/); // Closed
    const res = await postForm(w.admin, pageUrl(w.hoursId), { column: 'Open', kind: 'time' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${pageUrl(w.hoursId)}?checked=Open#checked`);
    const after = await w.admin.get(res.headers.location!.replace(/#.*/, ''));
    expect(after.text).toContain('Rows breaking the format of Open');
    expect(after.text).toContain('data-violations="1"');
    expect(after.text).toContain('Support/Sat');
    expect(after.text).toContain('25:00');
    expect(hoursRow('Support/Sat').Open).toBe('25:00');
  });

  it('shows a refused format at its field, with what was typed', async () => {
    const res = await postForm(w.admin, pageUrl(w.hoursId), {
      column: 'TimeZone',
      kind: 'pattern',
      pattern: '(\\w+)*',
      message: 'a zone',
    });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/class="field-error"[^>]*>The pattern repeats a group/);
    expect(res.text).toContain('value="(\\w+)*"');
    expect(await w.t.db.columnFormat.count()).toBe(0);
  });

  it('takes a list one value a line', async () => {
    await postForm(w.admin, pageUrl(w.hoursId), {
      column: 'TimeZone',
      kind: 'list',
      values: 'Europe/London\r\nEurope/Paris\r\n',
    });
    expect((await formats().forTable(w.orgId, w.hoursId)).get('TimeZone')).toEqual({
      kind: 'list',
      values: ['Europe/London', 'Europe/Paris'],
    });
  });
});

describe('where formats show', () => {
  it('in the table headers (data-format for the grid), the row form and the rights page', async () => {
    const o = await org();
    await formats().save(ADMIN_ACTOR, o, w.hoursId, 'TimeZone', { kind: 'list', values: ['Europe/London', 'UTC'] });
    await formats().save(ADMIN_ACTOR, o, w.hoursId, 'Open', { kind: 'time' });
    const table = await w.admin.get(`/tables/${w.hoursId}`);
    expect(table.text).toContain(
      `data-column="Open" data-type="string" data-writable="1" data-format="${'{&#34;kind&#34;:&#34;time&#34;}'}"`,
    );
    expect(table.text).toContain('a time, HH:MM (24-hour)');
    expect(table.text).toContain(`href="${pageUrl(w.hoursId)}"`);
    const form = await w.admin.get(rowUrlIn(w.hoursId, 'Sales/Mon'));
    expect(form.text).toMatch(/<select id="field-TimeZone" name="f:TimeZone"/);
    expect(form.text).toContain('<option value="Europe/London" selected>Europe/London</option>');
    expect(form.text).toMatch(/aria-describedby="field-Open-format"/);
    const rights = await w.admin.get(`/admin/orgs/${w.orgId}/tables/${w.hoursId}/access`);
    expect(rights.text).toContain(`href="${pageUrl(w.hoursId)}"`);
    // A user sees the hints, not the link to the admin page.
    await w.grant(w.users.viewer.id, w.hoursId, { defaultColumnAccess: 'read' });
    const theirs = await w.users.viewer.agent.get(`/tables/${w.hoursId}`);
    expect(theirs.text).toContain('a time, HH:MM (24-hour)');
    expect(theirs.text).not.toContain(pageUrl(w.hoursId));
    expect(await csrfFrom(w.admin, pageUrl(w.hoursId))).toBeTruthy();
  });
});
