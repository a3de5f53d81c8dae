// Uploaded backups are bounded: a count and a size quota per person (configurable, a clear message when
// full), uploads in progress at once (per person: 429; server-wide: 503), and each person can delete the
// files they uploaded (admins any backup), audited and CSRF-checked like every POST.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actorOfUser, csrfFrom, type Agent } from '../helpers/test-app.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld({
    env: { BACKUP_UPLOADS_PER_USER: '2', BACKUP_UPLOAD_MB_PER_USER: '1', BACKUP_UPLOADS_AT_ONCE: '1' },
  });
});
afterEach(async () => w.t.close());

/** The viewer's own backup of Emergency Flags (sealed by this server), as a file and its kept id. */
async function viewerBackup(): Promise<{ id: string; file: Buffer }> {
  const org = await w.t.services.orgs.get(w.orgId);
  const id = await w.t.services.backups.backupNow(
    await actorOfUser(w.t, w.users.viewer.id),
    org,
    [w.flagsId],
    'manual',
  );
  const record = await w.t.db.backup.findUniqueOrThrow({ where: { id } });
  return { id, file: readFileSync(path.join(w.t.dataDir, 'backups', record.fileName)) };
}

async function upload(agent: Agent, file: Buffer) {
  return agent
    .post('/backups/upload')
    .field('_csrf', await csrfFrom(agent, '/backups'))
    .attach('file', file, 'backup.json');
}

const uploadedId = (location: string) => /\/backups\/([\w-]+)\/restore/.exec(location)![1]!;
const incoming = () =>
  existsSync(path.join(w.t.dataDir, 'incoming')) ? readdirSync(path.join(w.t.dataDir, 'incoming')) : [];

describe('upload quotas', () => {
  it('refuses a file beyond the per-person count, with a message saying what to do, until one is deleted', async () => {
    const viewer = w.users.viewer.agent;
    const { file } = await viewerBackup();
    const first = await upload(viewer, file);
    expect(first.status).toBe(303);
    expect((await upload(viewer, file)).status).toBe(303);
    const third = await upload(viewer, file);
    expect(third.status).toBe(400);
    expect(third.text).toContain('You keep 2 uploaded backup(s), the most allowed per person (2).');
    expect(third.text).toContain('Delete uploaded backups you no longer need');
    expect(await w.t.db.backup.count({ where: { kind: 'uploaded' } })).toBe(2);
    expect(incoming()).toEqual([]);
    // Another person's quota is their own.
    expect((await upload(w.admin, file)).status).toBe(303);
    // Deleting one of hers makes room again.
    await w.users.viewer.agent
      .post(`/backups/${uploadedId(first.headers.location!)}/delete`)
      .type('form')
      .send({ _csrf: await csrfFrom(viewer, '/backups') })
      .expect(303);
    expect((await upload(viewer, file)).status).toBe(303);
  });

  it('refuses a file beyond the per-person size, before reading it', async () => {
    const big = Buffer.alloc(1024 * 1024 + 10, 0x20);
    const res = await upload(w.users.viewer.agent, big);
    expect(res.status).toBe(400);
    expect(res.text).toContain('would go over the 1.0 MB allowed per person');
    expect(await w.t.db.backup.count({ where: { kind: 'uploaded' } })).toBe(0);
    expect(incoming()).toEqual([]);
  });
});

describe('uploads in progress at once', () => {
  it('answers 429 to a person with an upload in progress and 503 when the server takes no more', async () => {
    const { file } = await viewerBackup();
    const release = w.t.services.uploadGate.enter(w.users.viewer.id); // her first upload, still being checked
    const second = await upload(w.users.viewer.agent, file);
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBeDefined();
    expect(second.text).toContain('You already have 1 backup upload(s) in progress');
    const other = await upload(w.admin, file); // the server takes one at a time in this test
    expect(other.status).toBe(503);
    expect(other.text).toContain('Try again in a minute.');
    release();
    expect((await upload(w.users.viewer.agent, file)).status).toBe(303);
    expect(w.t.services.uploadGate.inProgress).toBe(0); // every slot is given back once the response is sent
    expect(await w.t.db.backup.count({ where: { kind: 'uploaded' } })).toBe(1);
  });
});

describe('deleting backups', () => {
  it('lets a person delete her own uploads (audited, CSRF-checked) but not the app’s backups or others’', async () => {
    const viewer = w.users.viewer.agent;
    const { id: ownManual, file } = await viewerBackup();
    const id = uploadedId((await upload(viewer, file)).headers.location!);
    const record = await w.t.db.backup.findUniqueOrThrow({ where: { id } });
    const list = await viewer.get('/backups');
    expect(list.text).toContain(`href="/backups/${id}/delete"`); // a confirmation page first
    expect(list.text).not.toContain(`/backups/${ownManual}/delete"`);
    const confirm = await viewer.get(`/backups/${id}/delete`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Delete this backup?');
    expect(confirm.text).toContain(`action="/backups/${id}/delete"`);
    expect(await w.t.db.backup.count({ where: { id } })).toBe(1); // asking deletes nothing
    expect((await viewer.get(`/backups/${ownManual}/delete`)).status).toBe(403);
    expect(list.text).toMatch(/id="upload-usage">1 of 2 files/);

    expect((await viewer.post(`/backups/${id}/delete`).type('form').send({})).status).toBe(403); // no CSRF token
    const token = await csrfFrom(viewer, '/backups');
    expect((await viewer.post(`/backups/${ownManual}/delete`).type('form').send({ _csrf: token })).status).toBe(403);
    const adminsUpload = uploadedId((await upload(w.admin, file)).headers.location!);
    expect((await viewer.post(`/backups/${adminsUpload}/delete`).type('form').send({ _csrf: token })).status).toBe(404);
    expect(
      (
        await w.users.tableEditor.agent
          .post(`/backups/${id}/delete`)
          .type('form')
          .send({ _csrf: await csrfFrom(w.users.tableEditor.agent, '/backups') })
      ).status,
    ).toBe(404);
    expect(await w.t.db.backup.count({ where: { id } })).toBe(1);

    const deleted = await viewer.post(`/backups/${id}/delete`).type('form').send({ _csrf: token });
    expect(deleted.status).toBe(303);
    expect(await w.t.db.backup.count({ where: { id } })).toBe(0);
    expect(existsSync(path.join(w.t.dataDir, 'backups', record.fileName))).toBe(false);
    const entry = await w.t.db.auditEvent.findFirstOrThrow({ where: { action: 'backup.deleted' } });
    expect(entry.actorId).toBe(w.users.viewer.id);
    expect(JSON.parse(entry.details!)).toMatchObject({ backupId: id, kind: 'uploaded' });

    // An administrator may delete any backup, the app's own included.
    expect(
      (
        await w.admin
          .post(`/backups/${ownManual}/delete`)
          .type('form')
          .send({ _csrf: await csrfFrom(w.admin, '/backups') })
      ).status,
    ).toBe(303);
    expect(await w.t.db.backup.count({ where: { id: ownManual } })).toBe(0);
  });
});
