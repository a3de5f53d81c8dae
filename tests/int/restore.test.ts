// Restoring a kept backup: validated first (nothing written while a problem remains), a plan per table,
// a pre-restore backup, only the differing rows written, one audit batch that can be undone.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sealBackup } from '../../src/features/backups/backup-format.js';
import { parseBackup, type BackupInvalidError } from '../../src/features/backups/backup-validation.js';
import { ADMIN_ACTOR, csrfFrom } from '../helpers/test-app.js';
import { permissionWorld, restoreJobPage, type PermissionWorld } from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

const gw = () => w.t.services.orgs.gatewayFor(w.orgId);

async function flagsBackup(): Promise<string> {
  const org = await w.t.services.orgs.get(w.orgId);
  return w.t.services.backups.backupNow(ADMIN_ACTOR, org, [w.flagsId], 'manual');
}

const waitForRestore = (url: string) => restoreJobPage(w.admin, url);

describe('restore', () => {
  it('plans only the differences, keeps extra rows unless asked, writes them as one undoable batch', async () => {
    const backupId = await flagsBackup();
    const g = await gw();
    await g.updateRow(w.flagsId, 'Main Line', {
      ...(await g.getRow(w.flagsId, 'Main Line'))!,
      Message: 'Changed after the backup',
    });
    await g.deleteRow(w.flagsId, 'Billing Queue');
    await g.createRow(w.flagsId, { key: 'Extra Row', Message: 'not in the backup' });
    const preview = await w.admin.get(`/backups/${backupId}/restore`);
    expect(preview.status).toBe(200);
    expect(preview.text).toMatch(
      /Emergency Flags<\/th><td class="type-integer">1<\/td><td class="type-integer">1<\/td><td class="type-integer">0<\/td><td class="type-integer">2<\/td>/,
    );
    expect(preview.text).toContain('“Main Line”: Message');
    const exactPreview = await w.admin.get(`/backups/${backupId}/restore?exact=1`);
    expect(exactPreview.text).toMatch(
      /<td class="type-integer">1<\/td><td class="type-integer">1<\/td><td class="type-integer">1<\/td>/,
    );

    const writesBefore = w.writes();
    const started = await w.admin
      .post(`/backups/${backupId}/restore`)
      .type('form')
      .send({ _csrf: await csrfFrom(w.admin, `/backups/${backupId}/restore`) });
    expect(started.status).toBe(303);
    const done = await waitForRestore(started.headers.location!);
    expect(done).toContain('Restore finished');
    expect(w.writes() - writesBefore).toBe(2); // one create, one update: not the whole table
    expect((await g.getRow(w.flagsId, 'Main Line'))!.Message).not.toBe('Changed after the backup');
    expect(await g.getRow(w.flagsId, 'Billing Queue')).toMatchObject({ Priority: 2 });
    expect(await g.getRow(w.flagsId, 'Extra Row')).not.toBeNull();
    expect(await w.t.db.backup.count({ where: { kind: 'pre-restore' } })).toBe(1);
    const batchId = /href="\/audit\/batch\/([\w-]+)"/.exec(done)![1]!;
    expect(await w.t.db.auditEvent.count({ where: { batchId, outcome: 'applied' } })).toBe(2);
    // Undo the whole restore.
    const undo = await w.admin
      .post(`/audit/batch/${batchId}/undo`)
      .type('form')
      .send({ _csrf: await csrfFrom(w.admin, '/account') });
    expect(undo.status).toBe(303);
    expect((await g.getRow(w.flagsId, 'Main Line'))!.Message).toBe('Changed after the backup');
    expect(await g.getRow(w.flagsId, 'Billing Queue')).toBeNull();
  });

  it('lists every problem with table, row and field, and writes nothing', async () => {
    const backupId = await flagsBackup();
    const record = await w.t.db.backup.findUniqueOrThrow({ where: { id: backupId } });
    const file = path.join(w.t.dataDir, 'backups', record.fileName);
    const { doc } = await w.t.services.backups.load(ADMIN_ACTOR, backupId);
    doc.tables[0]!.rows[0]!.Priority = 'high';
    doc.tables[0]!.rows.push({ ...doc.tables[0]!.rows[1]! });
    const { checksum: _c, ...content } = doc;
    const edited = JSON.stringify(sealBackup(content, w.t.services.secrets.backupKey));
    writeFileSync(file, edited);
    await w.t.db.$executeRawUnsafe(
      `UPDATE "Backup" SET "sha256" = '${(await import('node:crypto')).createHash('sha256').update(edited).digest('hex')}' WHERE "id" = '${backupId}'`,
    );
    const writesBefore = w.writes();
    const res = await w.admin.get(`/backups/${backupId}/restore`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('is not a valid integer');
    expect(res.text).toContain('The key appears twice in the backup.');
    expect(res.text).not.toContain('>Restore</button>');
    expect(
      (
        await w.admin
          .post(`/backups/${backupId}/restore`)
          .type('form')
          .send({ _csrf: await csrfFrom(w.admin, '/account') })
      ).status,
    ).toBe(400);
    expect(w.writes()).toBe(writesBefore);
  });

  it('refuses damaged, tampered or hostile files before anything else', () => {
    const bad = (text: string) => {
      try {
        parseBackup(text, w.t.services.secrets.backupKey);
      } catch (err) {
        return (err as BackupInvalidError).problems[0]!.message;
      }
      return 'accepted';
    };
    expect(bad('{ not json')).toMatch(/not valid JSON/);
    expect(bad('{"__proto__":{"isAdmin":true}}')).toMatch(/not valid JSON/);
    expect(bad('{"format":"something-else"}')).toMatch(/not a Data Table Manager backup/);
    expect(bad('{"format":"datatable-manager-backup","version":2}')).toMatch(/version 2 is not supported/);
    expect(bad('{"format":"datatable-manager-backup","version":1,"tables":[],"checksum":"sha256:00"}')).toMatch(
      /checksum does not match/,
    );
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});
