// The org form's settings for planned changes (issue 15): time zone, change policy, approvals needed and when a
// scheduled change counts as late: saved, shown again, audited, and bad input refused with a message naming it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfFrom } from '../helpers/test-app.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { newOrgSchema } from '../../src/features/orgs/org-schemas.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

const editUrl = () => `/admin/orgs/${w.orgId}/edit`;

async function saveSettings(fields: Record<string, string>) {
  return w.admin
    .post(`/admin/orgs/${w.orgId}`)
    .type('form')
    .send({ _csrf: await csrfFrom(w.admin, editUrl()), name: 'Sandbox', label: 'SANDBOX', color: 'purple', ...fields });
}

describe('planned-change settings of an org', () => {
  it('saves them, shows them on the form again and audits them with before and after', async () => {
    const res = await saveSettings({
      timeZone: 'europe/berlin',
      changePolicy: 'approval',
      approvalsNeeded: '2',
      lateAfterMinutes: '45',
    });
    expect(res.status).toBe(303);
    const org = await w.t.services.orgs.get(w.orgId);
    // The zone is stored as the runtime spells it.
    expect(org).toMatchObject({
      timeZone: 'Europe/Berlin',
      changePolicy: 'approval',
      approvalsNeeded: 2,
      lateAfterMinutes: 45,
    });
    const page = await w.admin.get(editUrl());
    expect(page.text).toContain('value="Europe/Berlin"');
    expect(page.text).toMatch(/<option value="approval" selected>/);
    expect(page.text).toMatch(/<option value="2" selected>/);
    expect(page.text).toContain('value="45"');
    // The zone list offers the runtime's names.
    expect(page.text).toContain('<option value="America/New_York">');
    const entry = await w.t.db.auditEvent.findFirstOrThrow({
      where: { action: 'org.updated', orgId: w.orgId },
      orderBy: { seq: 'desc' },
    });
    expect(JSON.parse(entry.before!)).toMatchObject({ timeZone: 'UTC', changePolicy: 'direct', lateAfterMinutes: 15 });
    expect(JSON.parse(entry.after!)).toMatchObject({
      timeZone: 'Europe/Berlin',
      changePolicy: 'approval',
      approvalsNeeded: 2,
      lateAfterMinutes: 45,
    });
  });

  it('keeps the stored settings when an edit does not send them (an old form or a crafted POST)', async () => {
    await saveSettings({ changePolicy: 'approval', approvalsNeeded: '2', timeZone: 'Europe/Berlin' });
    const res = await saveSettings({});
    expect(res.status).toBe(303);
    expect(await w.t.services.orgs.get(w.orgId)).toMatchObject({
      changePolicy: 'approval',
      approvalsNeeded: 2,
      timeZone: 'Europe/Berlin',
    });
  });

  it('refuses bad values with a message naming each, and saves nothing', async () => {
    const res = await saveSettings({
      timeZone: 'Mars/Olympus_Mons',
      changePolicy: 'sometimes',
      approvalsNeeded: '4',
      lateAfterMinutes: '0',
    });
    expect(res.status).toBe(400);
    for (const msg of [
      '“Mars/Olympus_Mons” is not a time zone',
      'Choose whether changes apply at once or need approval.',
      'Approvals needed must be a whole number from 1 to 3.',
      'Late after must be a whole number of minutes from 1 to 1440',
    ])
      expect(res.text).toContain(msg);
    // What was typed comes back to be corrected.
    expect(res.text).toContain('value="Mars/Olympus_Mons"');
    for (const [field, value] of [
      ['lateAfterMinutes', '1441'],
      ['lateAfterMinutes', '2.5'],
      ['approvalsNeeded', '0'],
      ['timeZone', ''],
    ] as const) {
      const one = await saveSettings({ [field]: value });
      expect(one.status, `${field}=${value}`).toBe(400);
    }
    expect(await w.t.services.orgs.get(w.orgId)).toMatchObject({
      timeZone: 'UTC',
      changePolicy: 'direct',
      approvalsNeeded: 1,
      lateAfterMinutes: 15,
    });
    expect(await w.t.db.auditEvent.count({ where: { action: 'org.updated' } })).toBe(0);
  });

  it('has defaults for forms without them (the setup wizard)', () => {
    const parsed = newOrgSchema.parse({ name: 'P', region: 'us_east_1', clientId: 'c', clientSecret: 's' });
    expect(parsed).toMatchObject({ timeZone: 'UTC', changePolicy: 'direct', approvalsNeeded: 1, lateAfterMinutes: 15 });
  });
});
