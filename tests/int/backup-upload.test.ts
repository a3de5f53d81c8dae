// Uploading a backup file (multipart, CSRF-checked): a good file is kept as an "uploaded" backup and leads
// straight to the restore plan; a damaged, foreign or oversized file is refused with the problem named and
// nothing kept; without the CSRF token or a session nothing is parsed or kept.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_ACTOR, csrfFrom } from '../helpers/test-app.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

async function flagsBackupFile(): Promise<Buffer> {
  const org = await w.t.services.orgs.get(w.orgId);
  const id = await w.t.services.backups.backupNow(ADMIN_ACTOR, org, [w.flagsId], 'manual');
  const record = await w.t.db.backup.findUniqueOrThrow({ where: { id } });
  return readFileSync(path.join(w.t.dataDir, 'backups', record.fileName));
}

async function upload(file: Buffer, name = 'backup.json') {
  const token = await csrfFrom(w.admin, '/backups');
  return w.admin.post('/backups/upload').field('_csrf', token).attach('file', file, name);
}

const uploaded = () => w.t.db.backup.count({ where: { kind: 'uploaded' } });

describe('backup upload', () => {
  it('keeps a valid file and shows the restore plan for the current org', async () => {
    const file = await flagsBackupFile();
    const res = await upload(file);
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/backups\/[\w-]+\/restore$/);
    const plan = await w.admin.get(res.headers.location!);
    expect(plan.status).toBe(200);
    expect(plan.text).toContain('Emergency Flags');
    expect(plan.text).toContain('id="restore-plan"');
    expect(plan.text).toContain('id="nothing-to-restore"'); // the file holds what the table holds now
    const record = await w.t.db.backup.findFirstOrThrow({ where: { kind: 'uploaded' } });
    expect(record).toMatchObject({ orgId: w.orgId, tableCount: 1, createdById: 1 });
    expect(readFileSync(path.join(w.t.dataDir, 'backups', record.fileName)).equals(file)).toBe(true);
    expect(await w.t.db.auditEvent.count({ where: { action: 'backup.uploaded' } })).toBe(1);
  });

  it('refuses a changed file, a foreign file and no file, naming the problem and keeping nothing', async () => {
    const file = await flagsBackupFile();
    const tampered = Buffer.from(file.toString('utf8').replace('"Emergency Flags"', '"Emergency Flagz"'));
    const filesBefore = readdirSync(path.join(w.t.dataDir, 'backups')).length;
    const changed = await upload(tampered);
    expect(changed.status).toBe(400);
    expect(changed.text).toContain('The checksum does not match');
    const foreign = await upload(Buffer.from('{"hello": 1}'));
    expect(foreign.status).toBe(400);
    expect(foreign.text).toContain('This is not a Data Table Manager backup file.');
    const notJson = await upload(Buffer.from('{"__proto__": {"x": 1}}'));
    expect(notJson.status).toBe(400);
    const none = await w.admin.post('/backups/upload').field('_csrf', await csrfFrom(w.admin, '/backups'));
    expect(none.status).toBe(400);
    expect(none.text).toContain('Choose a backup file (.json) to upload.');
    expect(await uploaded()).toBe(0);
    expect(readdirSync(path.join(w.t.dataDir, 'backups'))).toHaveLength(filesBefore);
  });

  it('refuses a file above the size limit with a clear message', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024 + 1, 0x20);
    const res = await upload(big);
    expect(res.status).toBe(400);
    expect(res.text).toContain('The backup file is larger than 50 MB.');
    expect(await uploaded()).toBe(0);
  });

  it('needs the CSRF token and a session', async () => {
    const file = await flagsBackupFile();
    const noToken = await w.admin.post('/backups/upload').attach('file', file, 'backup.json');
    expect(noToken.status).toBe(403);
    const anonymous = await request(w.t.app).post('/backups/upload').attach('file', file, 'backup.json');
    expect([302, 303, 403]).toContain(anonymous.status);
    expect(await uploaded()).toBe(0);
    expect(existsSync(path.join(w.t.dataDir, 'backups'))).toBe(true);
  });
});

describe('hostile files', () => {
  it('refuses a file nested 50,000 levels deep with a 400 naming the problem (not a stack overflow)', async () => {
    const deep = `{"format":"datatable-manager-backup","version":1,"tables":[${'['.repeat(50_000)}${']'.repeat(50_000)}],"checksum":"sha256:00"}`;
    const res = await upload(Buffer.from(deep));
    expect(res.status).toBe(400);
    expect(res.text).toContain('The file nests data more than 32 levels deep');
    expect(await uploaded()).toBe(0);
  });

  it('leaves no temporary upload behind, whether the file is kept or refused', async () => {
    const incoming = path.join(w.t.dataDir, 'incoming');
    expect((await upload(await flagsBackupFile())).status).toBe(303);
    expect((await upload(Buffer.from('{ not json'))).status).toBe(400);
    expect((await upload(Buffer.alloc(50 * 1024 * 1024 + 1, 0x20))).status).toBe(400);
    expect(readdirSync(incoming)).toEqual([]);
  });
});
