// Backups: JSON files with schema and rows per table, sealed with a checksum, kept in DATA_DIR/backups,
// made in the background with progress, downloadable, audited; a user's backup holds only what they see.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sealOrigin, type BackupDocument } from '../../src/features/backups/backup-format.js';
import { DEMO_TABLES_SEEN } from '../helpers/emulator-profile.js';
import { csrfFrom, type Agent } from '../helpers/test-app.js';
import { permissionWorld, plantHiddenCanary, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { pageOnceReady } from '../helpers/eventually.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
  await plantHiddenCanary(w, 'CANARY-HIDDEN-3'); // in a column hidden from the viewer and the column editor
});
afterEach(async () => w.t.close());

async function backUp(
  agent: Agent,
  tables: string[] = [],
): Promise<{ doc: BackupDocument; jobPage: string; downloadUrl: string }> {
  const token = await csrfFrom(agent, '/backups');
  const body = [`_csrf=${encodeURIComponent(token)}`, ...tables.map((t) => `table=${encodeURIComponent(t)}`)].join('&');
  const started = await agent.post('/backups').type('form').send(body);
  expect(started.status).toBe(303);
  const page = {
    text: await pageOnceReady(
      agent,
      started.headers.location!,
      'the backup',
      (text) => text.includes('Backup ready') || text.includes('Backup failed'),
    ),
  };
  expect(page.text).not.toContain('Backup failed');
  const downloadUrl = /href="(\/backups\/[\w-]+\/download)"/.exec(page.text)![1]!;
  const file = await agent
    .get(downloadUrl)
    .buffer(true)
    .parse((res, cb) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => cb(null, data));
    });
  return { doc: JSON.parse(file.body as string) as BackupDocument, jobPage: page.text, downloadUrl };
}

describe('backups', () => {
  it('backs up every table of the org with schemas and rows, sealed with a checksum, kept on the server', async () => {
    const { doc, jobPage } = await backUp(w.admin);
    expect(jobPage).toMatch(
      new RegExp(
        `id="tables-done">${DEMO_TABLES_SEEN.length}</span> of ${DEMO_TABLES_SEEN.length} table\\(s\\), 2\\d{3} rows`,
      ),
    );
    expect(doc).toMatchObject({
      format: 'datatable-manager-backup',
      version: 1,
      appVersion: '0.0.0-test',
      org: { name: 'Sandbox', region: 'sandbox' },
      partial: false,
    });
    expect(doc.tables.map((t) => t.name).sort()).toEqual(DEMO_TABLES_SEEN); // every table the org's OAuth client can see
    const vip = doc.tables.find((t) => t.name === 'VIP Customers')!;
    expect(vip.rows).toHaveLength(2000);
    expect(Object.keys(vip.schema.properties)).toContain('LifetimeValue');
    expect(doc.checksum).toMatch(/^hmac-sha256:[0-9a-f]{16}:[0-9a-f]{64}$/);
    expect(sealOrigin(doc, w.t.services.secrets.backupKey)).toBe('this-server');
    const org = await w.t.db.genesysOrg.findUniqueOrThrow({ where: { id: w.orgId } });
    const text = JSON.stringify(doc);
    for (const secret of [org.clientId, org.clientSecretEnc!]) expect(text).not.toContain(secret);
    const dir = path.join(w.t.dataDir, 'backups');
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(statSync(path.join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    const list = await w.admin.get('/backups');
    expect(list.text).toContain('Download');
    const actions = (await w.t.db.auditEvent.findMany({ where: { action: { startsWith: 'backup.' } } })).map(
      (e) => e.action,
    );
    expect(actions).toEqual(['backup.created', 'backup.downloaded']);
  });

  it("a user's backup holds only the tables they may view and never hidden columns", async () => {
    const { doc, downloadUrl } = await backUp(w.users.viewer.agent);
    expect(doc.partial).toBe(true);
    expect(doc.tables.map((t) => t.name)).toEqual(['Emergency Flags']);
    expect(Object.keys(doc.tables[0]!.schema.properties)).not.toContain('ActivatedBy');
    expect(JSON.stringify(doc)).not.toContain('CANARY-HIDDEN-3');
    expect(JSON.stringify(doc)).not.toContain('ActivatedBy');
    // Another user cannot download it; the admin can.
    expect((await w.users.tableEditor.agent.get(downloadUrl)).status).toBe(404);
    expect((await w.admin.get(downloadUrl)).status).toBe(200);
  });

  it('refuses tables the user may not view', async () => {
    const token = await csrfFrom(w.users.viewer.agent, '/backups');
    const res = await w.users.viewer.agent.post('/backups').type('form').send({ _csrf: token, table: w.hoursId });
    expect(res.status).toBe(404);
  });
});
