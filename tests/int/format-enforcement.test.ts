// Column formats enforced where every write passes, the change engine: the row form and the grid (field errors
// at the field and in the JSON), a new row's key, bulk changes, restores and change requests are all refused
// with the validator's message when a value they write breaks its column's format, nothing reaching Genesys;
// fitting values are written in canonical form; values a change leaves as they are never block it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_ACTOR } from '../helpers/test-app.js';
import {
  backupOfTables,
  permissionWorld,
  postForm,
  rowUrlIn,
  sandboxTable,
  type PermissionWorld,
} from '../helpers/permission-fixtures.js';
import { requestWorld } from '../helpers/request-fixtures.js';
import type { ColumnFormatSpec } from '../../src/features/formats/format-types.js';
import { ValidationError } from '../../src/lib/errors.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

const org = () => w.t.services.orgs.get(w.orgId);
const hours = () => sandboxTable(w, 'Opening Hours');
const hoursRow = (key: string) => hours().rows.get(key)!;
const setFormat = async (tableId: string, column: string, spec: ColumnFormatSpec) =>
  w.t.services.formats.save(ADMIN_ACTOR, await org(), tableId, column, spec);
const TIME_MESSAGE = (label: string, v: string) =>
  `${label} must be a time of day, HH:MM on the 24-hour clock like 17:30; “${v}” is not.`;

async function putRow(tableId: string, key: string, values: Record<string, string>) {
  const g = await w.t.services.orgs.gatewayFor(w.orgId);
  const table = [...w.t.services.sandbox.running!.orgs[0]!.tables.values()].find((t) => t.id === tableId)!;
  await g.updateRow(tableId, key, { ...table.rows.get(key)!, ...values });
}

describe('the row form', () => {
  beforeEach(async () => {
    await setFormat(w.hoursId, 'Open', { kind: 'time' });
    await setFormat(w.hoursId, 'Close', { kind: 'time' });
  });

  it('refuses a value breaking the format at its field, writing nothing', async () => {
    const writes = w.writes();
    const res = await postForm(w.admin, rowUrlIn(w.hoursId, 'Sales/Mon'), { 'f:Open': '25:00', 'o:Open': '08:00' });
    expect(res.status).toBe(400);
    expect(res.text).toContain(`<p class="field-error" id="field-Open-error">${TIME_MESSAGE('Open', '25:00')}</p>`);
    expect(res.text).toContain('value="25:00"'); // what was typed, to correct
    expect(w.writes()).toBe(writes);
    expect(hoursRow('Sales/Mon').Open).toBe('08:00');
    expect(await w.t.db.auditEvent.count({ where: { action: 'row.updated' } })).toBe(0);
  });

  it('writes a fitting value in canonical form', async () => {
    const res = await postForm(w.admin, rowUrlIn(w.hoursId, 'Sales/Mon'), { 'f:Open': '7:30', 'o:Open': '08:00' });
    expect(res.status).toBe(303);
    expect(hoursRow('Sales/Mon').Open).toBe('07:30');
  });

  it('lets a row whose other value broke a later format be edited, leaving that value as it is', async () => {
    await putRow(w.hoursId, 'Sales/Mon', { Open: '8am' });
    const res = await postForm(w.admin, rowUrlIn(w.hoursId, 'Sales/Mon'), {
      'f:Open': '8am',
      'o:Open': '8am',
      'f:Close': '19:00',
      'o:Close': '20:00',
    });
    expect(res.status).toBe(303);
    expect(hoursRow('Sales/Mon')).toMatchObject({ Open: '8am', Close: '19:00' });
  });

  it('puts a new row under the canonical form of its key, and refuses a key that is no date', async () => {
    const holidays = sandboxTable(w, 'Holiday Calendar');
    await setFormat(holidays.id, 'key', { kind: 'date' });
    const url = `/tables/${holidays.id}/rows`;
    const bad = await postForm(w.admin, url, { 'f:key': '2026-02-30', 'f:Holiday': 'Nope' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Date (YYYY-MM-DD): “2026-02-30” is not a day of the calendar.');
    expect(holidays.rows.has('2026-02-30')).toBe(false);
    const ok = await postForm(w.admin, url, { 'f:key': '2026-7-4', 'f:Holiday': 'Picnic' });
    expect(ok.status).toBe(303);
    expect(holidays.rows.get('2026-07-04')).toMatchObject({ Holiday: 'Picnic' });
    expect(holidays.rows.has('2026-7-4')).toBe(false);
  });
});

describe('the grid (a row saved as JSON)', () => {
  it('answers the refusal with the message keyed by column, for the cell', async () => {
    await setFormat(w.flagsId, 'ActivatedBy', { kind: 'email' });
    const agent = w.users.tableEditor.agent;
    const { _csrf } = {
      _csrf: (await agent.get(rowUrlIn(w.flagsId, 'Main Line'))).text.match(/name="_csrf" value="([^"]+)"/)![1],
    };
    const res = await agent
      .post(rowUrlIn(w.flagsId, 'Main Line'))
      .set('Accept', 'application/json')
      .type('form')
      .send({ _csrf, 'f:ActivatedBy': 'somebody', 'o:ActivatedBy': '' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      ok: false,
      fieldErrors: {
        ActivatedBy: 'ActivatedBy must be one e-mail address, like name@example.com; “somebody” is not.',
      },
    });
    expect(sandboxTable(w, 'Emergency Flags').rows.get('Main Line')!.ActivatedBy).toBe('');
    const fine = await agent
      .post(rowUrlIn(w.flagsId, 'Main Line'))
      .set('Accept', 'application/json')
      .type('form')
      .send({ _csrf, 'f:ActivatedBy': 'Tess@Example.COM', 'o:ActivatedBy': '' });
    expect(fine.body).toMatchObject({ ok: true, row: { ActivatedBy: 'Tess@example.com' } });
  });
});

describe('a bulk change', () => {
  it('writes no row with a value breaking the format, each row saying why', async () => {
    await setFormat(w.hoursId, 'Open', { kind: 'time' });
    const o = await org();
    await w.t.services.tables.rows(ADMIN_ACTOR, o, w.hoursId);
    const keys = ['Sales/Mon', 'Sales/Tue', 'Support/Mon'];
    const writes = w.writes();
    const job = await w.t.services.bulk.start(ADMIN_ACTOR, o, w.hoursId, {
      sel: keys,
      action: 'set',
      column: 'Open',
      value: 'noon',
    });
    await w.t.services.jobs.idle();
    expect(w.writes()).toBe(writes);
    for (const k of keys) expect(hoursRow(k).Open).toBe('08:00');
    const report = await w.t.services.bulk.report(await w.t.services.bulk.get(ADMIN_ACTOR, job.id));
    expect(report.rows.map((r) => [r.outcome, r.message])).toEqual(
      keys.map(() => ['not-changed', TIME_MESSAGE('Open', 'noon')]),
    );
  });
});

describe('a restore', () => {
  it('writes fitting values in canonical form and refuses a row whose value breaks the format', async () => {
    await putRow(w.hoursId, 'Sales/Mon', { Open: '8am' });
    await putRow(w.hoursId, 'Sales/Tue', { Open: '8:00' });
    const backupId = await backupOfTables(w, ['Opening Hours']);
    await putRow(w.hoursId, 'Sales/Mon', { Open: '09:00' });
    await putRow(w.hoursId, 'Sales/Tue', { Open: '09:00' });
    await setFormat(w.hoursId, 'Open', { kind: 'time' });
    const job = await w.t.services.restore.start(ADMIN_ACTOR, await org(), backupId, {
      exact: false,
      createMissing: false,
      only: ['Opening Hours'],
    });
    await w.t.services.jobs.idle();
    expect(hoursRow('Sales/Mon').Open).toBe('09:00');
    expect(hoursRow('Sales/Tue').Open).toBe('08:00');
    const done = await w.t.services.restore.job(ADMIN_ACTOR, job.id);
    expect(JSON.stringify(done.failures)).toContain(TIME_MESSAGE('Open', '8am'));
  });
});

describe('a change request', () => {
  it('drafted before the format was set is held at apply with the message, writing nothing', async () => {
    const r = await requestWorld(w);
    await r.resetRights();
    const d = await r.requests.draft(r.tess, await r.org(), [r.update('Main Line', { Message: 'All good' })], {
      title: 'New message',
    });
    await r.requests.submit(r.tess, d.id);
    await setFormat(w.flagsId, 'Message', { kind: 'list', values: ['Closed today', 'Open as usual'] });
    const writes = w.writes();
    await r.requests.approve(r.vic, d.id, { version: 1 });
    await r.settle();
    const held = await r.requests.get(r.tess, d.id);
    expect(held.status).toBe('held');
    expect(held.heldReason).toContain('Message must be one of: Closed today, Open as usual; “All good” is not.');
    expect(w.writes()).toBe(writes);
    expect(r.flagRow('Main Line')!.Message).toBe('We are experiencing a high volume of calls.');
  });

  it('drafted with a value breaking a format already set is refused at once, with the same message', async () => {
    const r = await requestWorld(w);
    await r.resetRights();
    await setFormat(w.flagsId, 'Message', { kind: 'list', values: ['Closed today', 'Open as usual'] });
    const err = await r.requests
      .draft(r.tess, await r.org(), [r.update('Main Line', { Message: 'All good' })], { title: 'New message' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors).toEqual({
      Message: 'Message must be one of: Closed today, Open as usual; “All good” is not.',
    });
    expect(await w.t.db.changeRequest.count()).toBe(0);
  });

  it('applies a value fitting the format in its canonical form', async () => {
    const r = await requestWorld(w);
    await r.resetRights();
    await setFormat(w.flagsId, 'Message', { kind: 'list', values: ['Closed today', 'Open as usual'] });
    const d = await r.requests.draft(r.tess, await r.org(), [r.update('Main Line', { Message: 'closed TODAY' })], {
      title: 'Closing',
    });
    await r.requests.submit(r.tess, d.id);
    await r.requests.approve(r.vic, d.id, { version: 1 });
    await r.settle();
    expect((await r.requests.get(r.tess, d.id)).status).toBe('applied');
    expect(r.flagRow('Main Line')!.Message).toBe('Closed today');
  });
});
