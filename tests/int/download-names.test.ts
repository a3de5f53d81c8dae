// V7 of the security checklist: names chosen in Genesys (a table) or by an admin (an org) end up in download
// file names. With CR/LF, quotes, backslashes, semicolons and non-ASCII in them, every download still answers
// 200 with one RFC 6266 Content-Disposition (a printable-ASCII `filename` fallback and a percent-encoded
// UTF-8 `filename*` that decodes to the real name), and nothing is injected as a header of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeSetup, createTestApp, csrfFrom, type Agent, type TestApp, ADMIN_ACTOR } from '../helpers/test-app.js';
import { eventually } from '../helpers/eventually.js';

const HOSTILE = 'x"\r\nSet-Cookie: injected=1; \\ ☃ ..\\..\\evil';
const DISPOSITION = /^attachment; filename="[\x20-\x21\x23-\x5b\x5d-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%!'()*._~-]+$/;

let t: TestApp;
let admin: Agent;
let tableId: string;
beforeAll(async () => {
  t = await createTestApp();
  admin = await completeSetup(t);
  const org = await t.services.orgs.createSandbox(ADMIN_ACTOR);
  const g = await t.services.orgs.gatewayFor(org.id);
  const flags = (await g.listTables()).find((x) => x.name === 'Emergency Flags')!;
  tableId = (
    await g.createTable({ name: HOSTILE, description: 'hostile name', schema: (await g.getTable(flags.id)).schema })
  ).id;
  await t.db.genesysOrg.update({ where: { id: org.id }, data: { name: `Org ${HOSTILE}` } });
}, 60_000);
afterAll(async () => t.close());

function expectSafeDownload(res: { status: number; headers: Record<string, unknown> }, expectedName: RegExp) {
  expect(res.status).toBe(200);
  const disposition = String(res.headers['content-disposition']);
  expect(disposition).toMatch(DISPOSITION);
  expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1]!)).toMatch(expectedName);
  expect(res.headers['set-cookie'] ?? []).not.toEqual(expect.arrayContaining([expect.stringContaining('injected')]));
  expect(Object.keys(res.headers)).not.toContain('set-cookie: injected');
}

describe('download file names (V7)', () => {
  it('table exports (CSV and JSON) carry a hostile table name safely', async () => {
    expect((await admin.get('/tables')).text).toContain('hostile name');
    for (const format of ['csv', 'json']) {
      const res = await admin.get(`/tables/${tableId}/export.${format}`);
      expectSafeDownload(res, new RegExp(`^${HOSTILE.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} .+\\.${format}$`));
    }
  });

  it('a backup download carries a hostile org name safely', async () => {
    const res = await admin
      .post('/backups')
      .type('form')
      .send({ _csrf: await csrfFrom(admin, '/backups'), table: tableId });
    expect(res.status).toBe(303);
    const backup = await eventually('the backup', () => t.db.backup.findFirst());
    expectSafeDownload(
      await admin.get(`/backups/${backup!.id}/download`),
      /^backup Org x"\r\nSet-Cookie: injected=1; .+\.json$/,
    );
  });
});
