// Backups are sealed with the server's own key (HMAC-SHA-256): a file a user edits and re-seals is refused;
// a file this server did not seal ("foreign": another installation, an older version) is restored only by an
// administrator who confirms a warning. And whatever the seal, a user's restore plan never compares, names
// or reveals a column they cannot see: right and wrong guesses of hidden values give the same page.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { legacyChecksumOf, sealBackup, type BackupDocument } from '../../src/features/backups/backup-format.js';
import { FOREIGN_FOR_USERS } from '../../src/features/backups/backup-service.js';
import { HIDDEN_KEY_PROBLEM } from '../../src/features/backups/restore-plan.js';
import { FOREIGN_CONFIRMATION } from '../../src/features/backups/restore-service.js';
import { ADMIN, ADMIN_ACTOR, csrfFrom, type Agent } from '../helpers/test-app.js';
import {
  permissionWorld,
  plantHiddenCanary,
  restoreJobPage,
  type PermissionWorld,
} from '../helpers/permission-fixtures.js';

const CANARY = 'CANARY-SEALED-8';
let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
  await plantHiddenCanary(w, CANARY); // Main Line's ActivatedBy: hidden from the viewer
});
afterEach(async () => w.t.close());

type Content = Omit<BackupDocument, 'checksum'>;

/** The admin's full backup of tables (every column), as the parsed document without its seal. */
async function adminBackup(tableIds: string[]): Promise<Content> {
  const org = await w.t.services.orgs.get(w.orgId);
  const id = await w.t.services.backups.backupNow(ADMIN_ACTOR, org, tableIds, 'manual');
  const record = await w.t.db.backup.findUniqueOrThrow({ where: { id } });
  const { checksum: _seal, ...content } = JSON.parse(
    readFileSync(path.join(w.t.dataDir, 'backups', record.fileName), 'utf8'),
  ) as BackupDocument;
  return content;
}

/** What anyone can compute without the server's key: the old plain SHA-256 seal, or an HMAC under a key of their own. */
const legacySealed = (content: Content) => JSON.stringify({ ...content, checksum: legacyChecksumOf(content) });
const ownKeySealed = (content: Content) =>
  JSON.stringify(sealBackup(content, createHash('sha256').update('a key of my own').digest()));
/** A file sealed by this server (e.g. an admin's full backup, downloaded and handed to a user). */
const serverSealed = (content: Content) => JSON.stringify(sealBackup(content, w.t.services.secrets.backupKey));

async function upload(agent: Agent, text: string) {
  const token = await csrfFrom(agent, '/backups');
  return agent.post('/backups/upload').field('_csrf', token).attach('file', Buffer.from(text), 'backup.json');
}

/** The restore plan page a user gets for an uploaded file, with what differs per upload (ids, token) blanked. */
async function planFor(agent: Agent, text: string): Promise<{ status: number; page: string }> {
  const res = await upload(agent, text);
  expect(res.status).toBe(303);
  const plan = await agent.get(res.headers.location!);
  const page = plan.text.replace(/\/backups\/[\w-]{36}\//g, '/backups/ID/').replace(/name="_csrf" value="[^"]+"/g, '');
  return { status: plan.status, page };
}

const withMainLine = (content: Content, change: (row: Record<string, unknown>) => void): Content => {
  const copy = structuredClone(content);
  change(copy.tables[0]!.rows.find((r) => r.key === 'Main Line')!);
  return copy;
};

describe('sealed backups', () => {
  it('refuses a file a user forged with guessed hidden values, whatever seal she computes', async () => {
    const viewer = w.users.viewer.agent;
    const forged = withMainLine(await adminBackup([w.flagsId]), (r) => (r.ActivatedBy = 'my guess'));
    for (const text of [legacySealed(forged), ownKeySealed(forged)]) {
      const res = await upload(viewer, text);
      expect(res.status).toBe(400);
      expect(res.text).toContain(FOREIGN_FOR_USERS.slice(0, 60));
      expect(res.text).not.toContain('restore-plan');
    }
    // Re-using this server's key id with a made-up MAC is a changed file, for everyone.
    const genuine = JSON.parse(serverSealed(forged)) as BackupDocument;
    const tampered = JSON.stringify({
      ...genuine,
      checksum: genuine.checksum.replace(/:[0-9a-f]{64}$/, `:${'0'.repeat(64)}`),
    });
    for (const agent of [viewer, w.admin])
      expect((await upload(agent, tampered)).text).toContain('The checksum does not match');
    expect(await w.t.db.backup.count({ where: { kind: 'uploaded' } })).toBe(0);
  });

  it('lets an admin restore a foreign file only after confirming the warning', async () => {
    const content = await adminBackup([w.flagsId]);
    const g = await w.t.services.orgs.gatewayFor(w.orgId);
    await g.updateRow(w.flagsId, 'Main Line', {
      ...(await g.getRow(w.flagsId, 'Main Line'))!,
      Message: 'Changed after the backup',
    });
    w.t.services.tables.invalidate(w.orgId);
    const res = await upload(w.admin, legacySealed(content)); // a file of an older version: plain SHA-256
    expect(res.status).toBe(303);
    const url = res.headers.location!;
    const plan = await w.admin.get(url);
    expect(plan.status).toBe(200);
    expect(plan.text).toContain('id="foreign-warning"');
    expect(plan.text).toContain('name="foreign" value="1" required');
    const writes = w.writes();
    const unconfirmed = await w.admin
      .post(url)
      .type('form')
      .send({ _csrf: await csrfFrom(w.admin, url) });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain(FOREIGN_CONFIRMATION.slice(0, 50));
    expect(w.writes()).toBe(writes);
    const confirmed = await w.admin
      .post(url)
      .type('form')
      .send({ _csrf: await csrfFrom(w.admin, url), foreign: '1' });
    expect(confirmed.status).toBe(303);
    expect(await restoreJobPage(w.admin, confirmed.headers.location!)).toContain('Restore finished');
    expect((await g.getRow(w.flagsId, 'Main Line'))!.Message).not.toBe('Changed after the backup');
    // A file sealed by this server needs no confirmation and shows no warning.
    const own = await w.admin.get((await upload(w.admin, serverSealed(content))).headers.location!);
    expect(own.text).not.toContain('foreign-warning');
    expect(own.text).not.toContain('name="foreign"');
  });

  it('refuses a user a kept foreign file (an upload of an older version) without planning it', async () => {
    const content = withMainLine(await adminBackup([w.flagsId]), (r) => (r.ActivatedBy = 'my guess'));
    const res = await upload(w.admin, legacySealed(content));
    const id = /\/backups\/([\w-]+)\/restore/.exec(res.headers.location!)![1]!;
    await w.t.db.backup.update({ where: { id }, data: { createdById: w.users.viewer.id } }); // as if she had uploaded it before the fix
    const plan = await w.users.viewer.agent.get(`/backups/${id}/restore`);
    expect(plan.status).toBe(400);
    expect(plan.text).toContain(FOREIGN_FOR_USERS.slice(0, 60));
    expect(plan.text).not.toContain('id="restore-plan"');
  });
});

describe('backup pages say what they are about', () => {
  it('an uploaded file is described as uploaded by its uploader and made by whom the file says, and marked foreign', async () => {
    const content = {
      ...(await adminBackup([w.flagsId])),
      createdBy: 'Someone Else',
      createdAt: '2020-01-02T03:04:05.000Z',
    };
    const foreign = await w.admin.get((await upload(w.admin, legacySealed(content))).headers.location!);
    expect(foreign.text).toMatch(
      new RegExp(
        `uploaded [0-9: -]+ UTC by ${ADMIN.displayName}.*?; the file says it was made by Someone Else on 2020-01-02 03:04 UTC`,
      ),
    );
    await upload(w.admin, serverSealed(content));
    const list = (await w.admin.get('/backups')).text;
    expect(list.match(/<span class="tag foreign"/g)?.length).toBe(1); // the legacy-sealed one only
    expect(list).toContain('made by Someone Else, the file says');
  });

  it('a refused upload names its problem without a stray colon and does not promise a fix', async () => {
    const res = await upload(w.users.viewer.agent, legacySealed(await adminBackup([w.flagsId])));
    expect(res.status).toBe(400);
    expect(res.text).toContain('Nothing was written.');
    expect(res.text).not.toContain('until they are fixed');
    expect(res.text).toMatch(/<li class="value">This file was not sealed by this server/);
  });

  it('a plan with nothing to change says so and offers no Restore', async () => {
    const same = await w.admin.get(
      (await upload(w.admin, serverSealed(await adminBackup([w.flagsId])))).headers.location!,
    );
    expect(same.text).toContain('id="nothing-to-restore"');
    expect(same.text).not.toMatch(/<button[^>]*>Restore<\/button>/);
  });
});

describe("a user's restore plan never reveals what she cannot see", () => {
  it('is identical for the right and a wrong guess of a hidden value, and of its type', async () => {
    const viewer = w.users.viewer.agent;
    const full = await adminBackup([w.flagsId]);
    const right = await planFor(viewer, serverSealed(full));
    const wrong = await planFor(viewer, serverSealed(withMainLine(full, (r) => (r.ActivatedBy = 'WRONG GUESS'))));
    const otherType = structuredClone(full);
    otherType.tables[0]!.schema.properties.ActivatedBy!.type = 'integer';
    for (const r of otherType.tables[0]!.rows) r.ActivatedBy = 7;
    const typed = await planFor(viewer, serverSealed(otherType));
    expect(right.page).toContain('id="restore-plan"');
    expect(right.page).not.toContain(CANARY);
    for (const probe of [wrong, typed]) {
      expect(probe.status).toBe(right.status);
      expect(probe.page).toBe(right.page);
    }
  });

  it('says the same about a hidden column and a column the table does not have', async () => {
    const viewer = w.users.viewer.agent;
    const full = await adminBackup([w.flagsId]);
    const renamed = JSON.parse(JSON.stringify(full).replaceAll('"ActivatedBy"', '"NoSuchColumn"')) as Content;
    const hidden = await planFor(viewer, serverSealed(full));
    const absent = await planFor(viewer, serverSealed(renamed));
    expect(hidden.page).toContain(
      'Left out (not columns you can see in this table; they keep their values): ActivatedBy',
    );
    expect(absent.status).toBe(hidden.status);
    expect(absent.page.replaceAll('NoSuchColumn', 'ActivatedBy')).toBe(hidden.page);
  });

  it('does not tell right and wrong guesses of hidden keys apart', async () => {
    await w.grant(w.users.viewer.id, w.hoursId, { defaultColumnAccess: 'read', columns: { key: 'hidden' } });
    const viewer = w.users.viewer.agent;
    const hours = await adminBackup([w.hoursId]);
    const wrongKeys = structuredClone(hours);
    wrongKeys.tables[0]!.rows[0]!.key = 'a wrong guess';
    const right = await planFor(viewer, serverSealed(hours));
    const wrong = await planFor(viewer, serverSealed(wrongKeys));
    expect(right.page).toContain(HIDDEN_KEY_PROBLEM);
    expect(wrong.status).toBe(right.status);
    expect(wrong.page.replace('a wrong guess', String(hours.tables[0]!.rows[0]!.key))).toBe(right.page);
  });
});
