// The change engine (src/features/changes/): a bulk change of many rows reads the table once and writes one
// CSV import job instead of two calls per row; and a ChangeSet applied again after its first apply lost an
// answer (as after a crash) writes nothing twice: a write that happened is settled, one that did not is
// written once, under its next attempt's id.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../src/features/changes/row-change.js';
import { ADMIN_ACTOR, actorOfUser } from '../helpers/test-app.js';
import { permissionWorld, sandboxApi, sandboxTable, type PermissionWorld } from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

async function adminSet(changes: ChangeSet['changes']): Promise<ChangeSet> {
  const org = await w.t.services.orgs.get(w.orgId);
  return { actor: ADMIN_ACTOR, org, batchId: randomUUID(), reason: null, doing: 'This change', changes };
}

describe('a bulk change of many rows', () => {
  it('reads the table once and writes one import job, not two calls per row', async () => {
    const vip = sandboxTable(w, 'VIP Customers');
    const keys = [...vip.rows.keys()].slice(0, 100);
    const org = await w.t.services.orgs.get(w.orgId);
    await w.t.services.tables.rows(ADMIN_ACTOR, org, vip.id); // the table page the rows were selected on
    const changing = keys.filter((k) => vip.rows.get(k)!.Tier !== 'Platinum').length;
    expect(changing).toBeGreaterThan(50);
    const before = sandboxApi(w).length;
    const job = await w.t.services.bulk.start(ADMIN_ACTOR, org, vip.id, {
      sel: keys,
      action: 'set',
      column: 'Tier',
      value: 'Platinum',
    });
    await w.t.services.jobs.idle();
    const calls = sandboxApi(w).slice(before);
    for (const key of keys) expect(vip.rows.get(key)!.Tier).toBe('Platinum');
    expect(calls.filter((c) => c.path.includes('/rows/'))).toEqual([]); // no read or write of a single row
    expect(calls.filter((c) => c.method === 'POST' && c.path.endsWith('/import/csv/jobs'))).toHaveLength(1);
    expect(calls.length).toBeLessThan(20);
    const report = await w.t.services.bulk.report(await w.t.services.bulk.get(ADMIN_ACTOR, job.id));
    expect(Object.fromEntries(report.counts.map((c) => [c.outcome, c.count]))).toEqual({
      changed: changing,
      ...(changing < 100 ? { already: 100 - changing } : {}),
    });
    const intents = await w.t.db.auditEvent.findMany({ where: { batchId: job.batchId, outcome: 'intent' } });
    expect(intents).toHaveLength(changing);
    expect(intents.every((e) => JSON.parse(e.details!).via === 'csv-import')).toBe(true);
  });
});

describe('an import job that does not work as a whole', () => {
  it('writes the rows it left unwritten one at a time instead, and says so: none reported failed', async () => {
    // Whether a job was made cannot be known after a broken connection, so the engine reads until its rows show,
    // as long as Genesys may lag: here its pauses are skipped (no job exists to poll; the emulator does not lag).
    await w.t.close();
    w = await permissionWorld({ gatewaySettings: { sleep: async () => undefined } });
    const vip = sandboxTable(w, 'VIP Customers');
    const keys = [...vip.rows.keys()].slice(0, 40);
    // The connection breaks on every attempt to start the import job: the job never exists.
    w.t.services.sandbox.running!.faults.set([
      {
        method: 'POST',
        path: '/api/v2/flows/datatables/*/import/csv/jobs',
        times: Infinity,
        action: { type: 'reset' },
      },
    ]);
    const set = await adminSet(
      keys.map((key) => ({
        id: randomUUID(),
        kind: 'update' as const,
        tableId: vip.id,
        key,
        write: { Notes: `bulk ${key}` },
      })),
    );
    const { results, notes } = await w.t.services.engine.apply(set, { method: 'import' });
    expect(results.map((r) => r.status)).toEqual(keys.map(() => 'applied'));
    for (const key of keys) expect(vip.rows.get(key)!.Notes).toBe(`bulk ${key}`);
    expect(notes.join(' ')).toMatch(
      /The CSV import did not complete: .* Its 40 unwritten row\(s\) were written one at a time instead\./,
    );
    expect(sandboxApi(w).filter((c) => c.method === 'PUT' && c.path.includes('/rows/'))).toHaveLength(40);
  });
});

describe('a ChangeSet applied again', () => {
  const rowPath = '/api/v2/flows/datatables/*/rows/Main*';
  const puts = () => sandboxApi(w).filter((c) => c.method === 'PUT' && c.path.includes('/rows/Main'));

  it('settles a write whose answer was lost, and does not send it again', async () => {
    const set = await adminSet([
      {
        id: randomUUID(),
        kind: 'update',
        tableId: w.flagsId,
        key: 'Main Line',
        write: { Message: 'Applied, answer lost' },
      },
    ]);
    w.t.services.sandbox.running!.faults.set([
      { method: 'PUT', path: rowPath, times: Infinity, action: { type: 'reset-after-apply' } },
    ]);
    expect((await w.t.services.engine.apply(set)).results[0]!.status).toBe('unknown');
    w.t.services.sandbox.running!.faults.clear();
    const sent = puts().length;

    const again = await w.t.services.engine.apply(set);
    expect(again.results[0]).toMatchObject({
      status: 'recorded',
      state: 'reconciled-applied',
      changeId: set.changes[0]!.id,
    });
    expect(puts().length).toBe(sent); // nothing sent the second time
    expect(sandboxTable(w, 'Emergency Flags').rows.get('Main Line')!.Message).toBe('Applied, answer lost');
  });

  it('writes once a change that never reached Genesys, under its next attempt', async () => {
    const set = await adminSet([
      { id: randomUUID(), kind: 'update', tableId: w.flagsId, key: 'Main Line', write: { Message: 'Never reached' } },
    ]);
    w.t.services.sandbox.running!.faults.set([
      { method: 'PUT', path: rowPath, times: Infinity, action: { type: 'reset' } },
    ]);
    expect((await w.t.services.engine.apply(set)).results[0]!.status).toBe('unknown');
    w.t.services.sandbox.running!.faults.clear();
    expect(sandboxTable(w, 'Emergency Flags').rows.get('Main Line')!.Message).not.toBe('Never reached');

    const again = await w.t.services.engine.apply(set);
    expect(again.results[0]).toMatchObject({ status: 'applied' });
    const retryId = (again.results[0] as { changeId: string }).changeId;
    expect(retryId).not.toBe(set.changes[0]!.id);
    expect(puts().filter((c) => c.status === 200)).toHaveLength(1);
    expect(sandboxTable(w, 'Emergency Flags').rows.get('Main Line')!.Message).toBe('Never reached');
    // The first attempt is settled as not applied, the second applied: each has its intent and one outcome.
    const outcomes = async (changeId: string) =>
      (await w.t.db.auditEvent.findMany({ where: { changeId }, orderBy: { seq: 'asc' } })).map((e) => e.outcome);
    expect(await outcomes(set.changes[0]!.id)).toEqual(['intent', 'unknown', 'reconciled-not-applied']);
    expect(await outcomes(retryId)).toEqual(['intent', 'applied']);
    // A third apply finds the change done.
    expect((await w.t.services.engine.apply(set)).results[0]).toMatchObject({ status: 'recorded', state: 'applied' });
  });
});

describe('rights that change while a set is applied', () => {
  it('a grant revoked mid-way refuses the next write and stops the rest: nothing more is written', async () => {
    const org = await w.t.services.orgs.get(w.orgId);
    const editor = await actorOfUser(w.t, w.users.tableEditor.id);
    const keys = ['Line 1', 'Line 2', 'Line 3', 'Line 4', 'Line 5'];
    const set: ChangeSet = {
      actor: editor,
      org,
      batchId: randomUUID(),
      reason: null,
      doing: 'This change',
      changes: keys.map((key) => ({
        id: randomUUID(),
        kind: 'create',
        tableId: w.flagsId,
        key,
        write: { key, Message: key },
      })),
    };
    const { results } = await w.t.services.engine.apply(set, {
      method: 'rows',
      // After the second row is written, an administrator takes the editing rights away.
      onProgress: async (done) => {
        if (done === 2)
          await w.grant(w.users.tableEditor.id, w.flagsId, { canView: true, defaultColumnAccess: 'read' });
      },
    });
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'failed', 'stopped', 'stopped']);
    expect((results[2] as { error: Error }).error.message).toMatch(/right|may not|cannot/i);
    const flags = sandboxTable(w, 'Emergency Flags');
    expect(keys.filter((k) => flags.rows.has(k))).toEqual(['Line 1', 'Line 2']);
  });
});
