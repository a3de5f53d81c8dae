// Z8 of the security checklist: when the grant lookup fails (here: it throws, as a database fault would),
// every table page and write is refused (an error page, never a 2xx or a redirect that means "done") and
// Genesys is not called at all. Rights are never assumed when they cannot be read.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { csrfFrom } from '../helpers/test-app.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
beforeAll(async () => {
  w = await permissionWorld();
}, 60_000);
afterAll(async () => w.t.close());

describe('a failing grant lookup denies (Z8)', () => {
  it('refuses every table read and write of a user whose rights cannot be read, with 0 Genesys calls', async () => {
    const { agent } = w.users.tableEditor;
    const flags = `/tables/${w.flagsId}`;
    const row = `${flags}/rows/${encodeURIComponent('Main Line')}`;
    expect((await agent.get(flags)).status).toBe(200); // the user really has every right on the table
    const token = await csrfFrom(agent, '/account');
    const permissions = w.t.services.permissions;
    const fault = () => Promise.reject(new Error('SQLITE_IOERR: disk I/O error (simulated)'));
    const spies = [
      vi.spyOn(permissions, 'rightsOn').mockImplementation(fault),
      vi.spyOn(permissions, 'visibleTables').mockImplementation(fault),
      vi.spyOn(permissions, 'rightsOf').mockImplementation(fault),
    ];
    const callsBefore = w.apiCalls();
    const lastSeq = (await w.t.db.auditEvent.findFirst({ orderBy: { seq: 'desc' } }))!.seq;
    try {
      const requests = {
        'table list': agent.get('/tables'),
        'table page': agent.get(flags),
        'row page': agent.get(row),
        'CSV export': agent.get(`${flags}/export.csv`),
        'JSON export': agent.get(`${flags}/export.json`),
        'new row form': agent.get(`${flags}/new-row`),
        'edit a row': agent.post(row).set('X-CSRF-Token', token).type('form').send({ 'f:Message': 'fail-open' }),
        'add a row': agent.post(`${flags}/rows`).set('X-CSRF-Token', token).type('form').send({ 'f:key': 'Fail open' }),
        'delete a row': agent.post(`${row}/delete`).set('X-CSRF-Token', token).type('form').send({}),
        'rename a row': agent
          .post(`${row}/rename`)
          .set('X-CSRF-Token', token)
          .type('form')
          .send({ newKey: 'Fail open' }),
        'bulk apply': agent
          .post(`${flags}/bulk/apply`)
          .set('X-CSRF-Token', token)
          .type('form')
          .send({ action: 'set', column: 'Message', value: 'fail-open', sel: 'Main Line' }),
        backup: agent.post('/backups').set('X-CSRF-Token', token).type('form').send({ table: w.flagsId }),
      };
      const statuses: Record<string, number> = {};
      for (const [name, request] of Object.entries(requests)) statuses[name] = (await request).status;
      for (const [name, status] of Object.entries(statuses))
        expect([403, 404, 500], `${name}: ${status}`).toContain(status);
      expect(w.apiCalls() - callsBefore, 'Genesys calls').toBe(0);
      expect((await w.t.db.auditEvent.findMany({ where: { seq: { gt: lastSeq } } })).map((e) => e.action)).toEqual([]);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect((await agent.get(flags)).status).toBe(200);
  });
});
