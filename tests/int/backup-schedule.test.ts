// Scheduled backups: an org set to "daily" in its settings gets a full backup once a day (the scheduler pass
// is driven directly with the manual clock), only the newest N scheduled backups are kept (files and
// records, each removal audited), manual backups are never pruned, and bad settings are refused by name.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_TABLES_SEEN } from '../helpers/emulator-profile.js';
import { ADMIN_ACTOR, csrfFrom } from '../helpers/test-app.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';

const HOUR = 3_600_000;
let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

async function saveSchedule(schedule: string, keep: string) {
  const token = await csrfFrom(w.admin, `/admin/orgs/${w.orgId}/edit`);
  return w.admin.post(`/admin/orgs/${w.orgId}`).type('form').send({
    _csrf: token,
    name: 'Sandbox',
    color: 'blue',
    backupSchedule: schedule,
    backupKeep: keep,
    requestsPerMinute: '300',
  });
}

const scheduled = () => w.t.db.backup.findMany({ where: { kind: 'scheduled' }, orderBy: { createdAt: 'asc' } });

describe('scheduled backups', () => {
  it('makes nothing while the schedule is off', async () => {
    expect((await w.t.services.backupScheduler.run()).created).toEqual([]);
  });

  it('backs up every table daily, the first time as soon as the schedule is saved, keeping the newest N', async () => {
    expect((await saveSchedule('daily', '2')).status).toBe(303);
    await w.t.services.backupScheduler.run(); // joins the pass the save started (or finds nothing due after it)
    expect(await scheduled()).toHaveLength(1);
    const [made] = await scheduled();
    expect(made).toMatchObject({
      tableCount: DEMO_TABLES_SEEN.length,
      partial: false,
      createdById: null,
      createdBy: 'Scheduled backup',
    });
    // The list page shows it as a scheduled backup (checked now: the clock moves past the session's life below).
    expect((await w.admin.get('/backups')).text).toContain('<span class="tag">scheduled</span>');

    w.t.clock.advance(23 * HOUR); // not yet due
    expect((await w.t.services.backupScheduler.run()).created).toEqual([]);
    w.t.clock.advance(2 * HOUR);
    expect((await w.t.services.backupScheduler.run()).created).toHaveLength(1);
    w.t.clock.advance(25 * HOUR);
    const third = await w.t.services.backupScheduler.run();
    expect(third.created).toHaveLength(1);
    expect(third.pruned).toBe(1);

    const kept = await scheduled();
    expect(kept).toHaveLength(2);
    expect(kept.map((b) => b.id)).not.toContain(made!.id);
    const dir = path.join(w.t.dataDir, 'backups');
    expect(existsSync(path.join(dir, made!.fileName))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(kept.map((b) => b.fileName).sort());
    const pruned = await w.t.db.auditEvent.findMany({ where: { action: 'backup.pruned' } });
    expect(pruned).toHaveLength(1);
    expect(pruned[0]!.actorName).toBe('system');
  });

  it('never prunes manual backups', async () => {
    const manual = await w.t.services.backups.backupNow(
      ADMIN_ACTOR,
      await w.t.services.orgs.get(w.orgId),
      [w.hoursId],
      'manual',
    );
    await saveSchedule('daily', '1');
    for (let i = 0; i < 3; i++) {
      await w.t.services.backupScheduler.run();
      w.t.clock.advance(25 * HOUR);
    }
    expect(await scheduled()).toHaveLength(1);
    expect(await w.t.db.backup.findUnique({ where: { id: manual } })).not.toBeNull();
  });

  it('a failing org is reported and audited, and tried again on the next pass', async () => {
    const emu = w.t.services.sandbox.running!;
    emu.faults.set([{ path: '/api/v2/flows/datatables/**', times: Infinity, action: { type: 'status', status: 403 } }]);
    await saveSchedule('daily', '3');
    await w.t.services.backupScheduler.run(); // the pass the save started has ended
    const failedBefore = await w.t.db.auditEvent.count({ where: { action: 'backup.failed' } });
    expect(failedBefore).toBeGreaterThanOrEqual(1);
    const res = await w.t.services.backupScheduler.run();
    expect(res.created).toEqual([]);
    expect(res.failed).toHaveLength(1);
    expect(await w.t.db.auditEvent.count({ where: { action: 'backup.failed' } })).toBe(failedBefore + 1);
    expect(await scheduled()).toEqual([]);
    const dir = path.join(w.t.dataDir, 'backups');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]); // no half-written file
    emu.faults.clear();
    expect((await w.t.services.backupScheduler.run()).created).toHaveLength(1);
  });

  it('refuses a keep count outside 1..365 or an unknown schedule, naming the field', async () => {
    const zero = await saveSchedule('daily', '0');
    expect(zero.status).toBe(400);
    expect(zero.text).toContain('Keep between 1 and 365 scheduled backups.');
    const weekly = await saveSchedule('weekly', '7');
    expect(weekly.status).toBe(400);
    expect(weekly.text).toContain('Choose off or daily.');
    expect((await w.t.services.orgs.get(w.orgId)).backupSchedule).toBe('off');
  });
});
