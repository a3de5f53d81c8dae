// Values are compared by meaning, not bytes: with the emulator's normalisation on (trailing spaces trimmed
// on write, numbers answered as 1.0) and off, an edit is "applied" (never "failed"), the next edit from the
// same starting values is no conflict, undo finds the row still holding what the change wrote, an import
// counts its rows as applied, and the reconciler settles a lost answer as applied.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ACTOR, csrfFrom } from '../helpers/test-app.js';
import { passVisibilityDelay } from '../helpers/emulator-profile.js';
import { lastIntentSeq, permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';
import type { Row } from '../../src/genesys/gateway.js';

const KEY = '+44 20 7946 1000';

describe.each([true, false])('compare by meaning, emulator normaliseValues %s', (normalise) => {
  let w: PermissionWorld;
  let vipId: string;
  beforeAll(async () => {
    w = await permissionWorld();
    w.t.services.sandbox.running!.setBehaviour({ normaliseValues: normalise });
    vipId = (await (await w.t.services.orgs.gatewayFor(w.orgId)).listTables()).find(
      (t) => t.name === 'VIP Customers',
    )!.id;
    await w.grant(w.users.tableEditor.id, vipId, {
      canEdit: true,
      canAdd: true,
      canDelete: true,
      defaultColumnAccess: 'write',
    });
  }, 60_000);
  afterAll(async () => w.t.close());

  const agent = () => w.users.tableEditor.agent;
  const current = async (): Promise<Row> => (await (await w.t.services.orgs.gatewayFor(w.orgId)).getRow(vipId, KEY))!;
  const lastOutcome = async () =>
    (await w.t.db.auditEvent.findFirstOrThrow({ where: { action: 'row.updated' }, orderBy: { seq: 'desc' } })).outcome;
  const lastIntent = () => lastIntentSeq(w, 'row.updated');
  async function post(fields: Record<string, string>) {
    return agent()
      .post(`/tables/${vipId}/rows/${encodeURIComponent(KEY)}`)
      .type('form')
      .send({ _csrf: await csrfFrom(agent(), '/account'), ...fields });
  }

  it('an edit to 5 and to text with trailing spaces is applied, and the next edit from those values is no conflict', async () => {
    const before = await current();
    const first = await post({
      'o:LifetimeValue': String(before.LifetimeValue),
      'f:LifetimeValue': '5',
      'o:Notes': String(before.Notes),
      'f:Notes': 'Call back   ',
    });
    expect(first.status).toBe(303);
    expect(await lastOutcome()).toBe('applied');
    expect((await current()).LifetimeValue).toBe(5);
    expect((await current()).Notes).toBe(normalise ? 'Call back' : 'Call back   ');
    // A form that still starts from what the user typed (e.g. re-shown after an error) must not conflict.
    const second = await post({
      'o:LifetimeValue': '5.0',
      'f:LifetimeValue': '6',
      'o:Notes': 'Call back   ',
      'f:Notes': 'Second note',
    });
    expect(second.status).toBe(303);
    expect(await lastOutcome()).toBe('applied');
    expect(await current()).toMatchObject({ LifetimeValue: 6, Notes: 'Second note' });
  });

  it('undo finds the row holding what the change wrote', async () => {
    const before = await current();
    expect(
      (
        await post({
          'o:LifetimeValue': String(before.LifetimeValue),
          'f:LifetimeValue': '5',
          'o:Notes': String(before.Notes),
          'f:Notes': 'Undo me  ',
        })
      ).status,
    ).toBe(303);
    const seq = await lastIntent();
    const res = await agent()
      .post(`/audit/${seq}/undo`)
      .type('form')
      .send({ _csrf: await csrfFrom(agent(), `/audit/${seq}`) });
    expect(res.status).toBe(303);
    expect(await current()).toMatchObject({ LifetimeValue: before.LifetimeValue, Notes: before.Notes });
    expect(await lastOutcome()).toBe('applied');
  });

  it('a CSV import counts rows Genesys normalised as applied, not failed', async () => {
    const org = await w.t.services.orgs.get(w.orgId);
    const changes = [
      {
        id: randomUUID(),
        kind: 'update' as const,
        tableId: vipId,
        key: KEY,
        write: { LifetimeValue: 7, Notes: 'Imported   ' },
      },
    ];
    const { results } = await w.t.services.engine.apply(
      { actor: ADMIN_ACTOR, org, batchId: null, reason: null, doing: 'This import', changes },
      { method: 'import' },
    );
    const intent = await w.t.db.auditEvent.findFirstOrThrow({ where: { changeId: changes[0]!.id, outcome: 'intent' } });
    expect(JSON.parse(intent.details!)).toMatchObject({ via: 'csv-import' }); // the import path, not a row write
    expect(results.filter((r) => r.status === 'failed')).toEqual([]);
    expect(results.filter((r) => r.status === 'applied')).toHaveLength(1);
  });

  it('the reconciler settles a lost answer as applied', async () => {
    const emu = w.t.services.sandbox.running!;
    emu.faults.set([
      {
        method: 'PUT',
        path: '/api/v2/flows/datatables/*/rows/*',
        times: Infinity,
        action: { type: 'reset-after-apply' },
      },
    ]);
    const before = await current();
    const res = await post({
      'o:LifetimeValue': String(before.LifetimeValue),
      'f:LifetimeValue': '8',
      'o:Notes': String(before.Notes),
      'f:Notes': 'Lost answer   ',
    });
    emu.faults.clear();
    expect(res.status).not.toBe(303);
    expect(await lastOutcome()).toBe('unknown');
    w.t.clock.advance(w.t.config.auditReconcileGraceMs + 1_000);
    passVisibilityDelay(); // the grace period has passed for Genesys too: a write that lags shows by now
    expect(await w.t.services.reconciler.run()).toBe(1);
    expect(await lastOutcome()).toBe('reconciled-applied');
  });
});
