// Issue 12.5: a bulk job's report shows each row's true outcome, read from the audit log when shown: a row whose
// Genesys answer was lost is "unknown, being checked" (never "not changed"), and once the reconciler has read
// the row again, what really happened. Faults are scripted in the sandbox emulator.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfFrom } from '../helpers/test-app.js';
import { passVisibilityDelay } from '../helpers/emulator-profile.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';
import { pageOnceReady } from '../helpers/eventually.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

const ROWS = ['Main Line', 'Billing Queue', 'Weather Closure', 'IT Outage / Website'];

/** The outcome the report gives a row (its data-outcome attribute). */
function outcomeOf(html: string, label: string): string | undefined {
  for (const m of html.matchAll(/<li data-outcome="([\w-]+)"><strong>([^<]*)<\/strong>/g))
    if (m[2] === label) return m[1];
  return undefined;
}

describe('bulk job report', () => {
  it('shows a lost answer as "unknown, being checked", then the reconciler\'s result', async () => {
    const emu = w.t.services.sandbox.running!;
    const rowPath = '/api/v2/flows/datatables/*/rows/';
    emu.faults.set([
      // Applied in Genesys, answer lost on every try.
      { method: 'PUT', path: `${rowPath}Billing*`, times: Infinity, action: { type: 'reset-after-apply' } },
      // Never reached Genesys, connection lost on every try: also unknown to the app.
      { method: 'PUT', path: `${rowPath}Main*`, times: Infinity, action: { type: 'reset' } },
      // Refused: known not to be changed.
      { method: 'PUT', path: `${rowPath}Weather*`, action: { type: 'status', status: 400 } },
    ]);
    const agent = w.users.tableEditor.agent;
    const token = await csrfFrom(agent, '/account');
    // Priority 3: "IT Outage / Website" already has it.
    const apply = await agent
      .post(`/tables/${w.flagsId}/bulk/apply`)
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(token)}&action=set&column=Priority&value=3&${ROWS.map((k) => `sel=${encodeURIComponent(k)}`).join('&')}`,
      );
    expect(apply.status).toBe(303);
    let page = await pageOnceReady(
      agent,
      apply.headers.location!,
      'the bulk change',
      (text) => text.includes('>Done<'),
      { timeoutMs: 25_000 },
    );
    emu.faults.clear();
    expect(page).toContain('>Done<');
    expect(outcomeOf(page, 'Billing Queue')).toBe('unknown');
    expect(outcomeOf(page, 'Main Line')).toBe('unknown');
    expect(outcomeOf(page, 'Weather Closure')).toBe('not-changed');
    expect(outcomeOf(page, 'IT Outage / Website')).toBe('already');
    expect(page).toContain('unknown, being checked');
    expect(page).toMatch(/<li data-outcome="unknown"><strong>2<\/strong> unknown, being checked/);
    expect(page).toContain('<meta http-equiv="refresh" content="15">'); // keeps itself current until settled
    const g = await w.t.services.orgs.gatewayFor(w.orgId);
    passVisibilityDelay(); // an update whose answer was lost is not the app's known write: wait until Genesys shows it
    expect((await g.getRow(w.flagsId, 'Billing Queue'))!.Priority).toBe(3); // it was applied

    w.t.clock.advance(w.t.config.auditReconcileGraceMs + 1_000);
    passVisibilityDelay(); // the grace period has passed for Genesys too: a write that lags shows by now
    expect(await w.t.services.reconciler.run()).toBe(2);
    page = (await agent.get(apply.headers.location!)).text;
    expect(outcomeOf(page, 'Billing Queue')).toBe('confirmed');
    expect(outcomeOf(page, 'Main Line')).toBe('checked-not-changed');
    expect(outcomeOf(page, 'Weather Closure')).toBe('not-changed');
    expect(outcomeOf(page, 'IT Outage / Website')).toBe('already');
    expect(page).not.toContain('unknown, being checked');
    expect(page).not.toContain('http-equiv="refresh"');
  });

  it('while the job runs, a row sent and not yet answered is "being written", not "answer lost"', async () => {
    const emu = w.t.services.sandbox.running!;
    // Main Line's write is held by Genesys for a while: its intent is in the audit log, its outcome not yet.
    emu.faults.set([
      { method: 'PUT', path: '/api/v2/flows/datatables/*/rows/Main*', action: { type: 'hang', ms: 1_500 } },
    ]);
    const agent = w.users.tableEditor.agent;
    const token = await csrfFrom(agent, '/account');
    const apply = await agent
      .post(`/tables/${w.flagsId}/bulk/apply`)
      .type('form')
      .send(`_csrf=${encodeURIComponent(token)}&action=set&column=Priority&value=2&sel=Main%20Line`);
    expect(apply.status).toBe(303);
    const inFlight = await pageOnceReady(
      agent,
      apply.headers.location!,
      'the row to be sent',
      (text) => !text.includes('data-outcome="waiting"'),
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(inFlight).toContain('>Working…<');
    expect(inFlight).toMatch(/<li data-outcome="sending"><strong>1<\/strong> being written to Genesys Cloud/);
    expect(inFlight).not.toContain('answer was lost');
    const done = await pageOnceReady(agent, apply.headers.location!, 'the bulk change', (t) => t.includes('>Done<'), {
      timeoutMs: 25_000,
    });
    emu.faults.clear();
    expect(done).not.toContain('data-outcome="sending"');
  });

  it('reports a conflict the reconciler found, and a delete whose answer was lost', async () => {
    const emu = w.t.services.sandbox.running!;
    emu.faults.set([
      { method: 'DELETE', path: '/api/v2/flows/datatables/*/rows/*', times: Infinity, action: { type: 'reset' } },
    ]);
    const agent = w.users.tableEditor.agent;
    const token = await csrfFrom(agent, '/account');
    const apply = await agent
      .post(`/tables/${w.flagsId}/bulk/apply`)
      .type('form')
      .send(`_csrf=${encodeURIComponent(token)}&action=delete&sel=Main%20Line&sel=Billing%20Queue`);
    let page = await pageOnceReady(
      agent,
      apply.headers.location!,
      'the bulk delete',
      (text) => text.includes('>Done<'),
      { timeoutMs: 25_000 },
    );
    emu.faults.clear();
    expect(outcomeOf(page, 'Main Line')).toBe('unknown');
    expect(outcomeOf(page, 'Billing Queue')).toBe('unknown');
    // Meanwhile someone edits one of them in Architect: neither what the delete found nor gone.
    const g = await w.t.services.orgs.gatewayFor(w.orgId);
    await g.updateRow(w.flagsId, 'Billing Queue', {
      ...(await g.getRow(w.flagsId, 'Billing Queue'))!,
      Message: 'Edited in Architect',
    });
    await g.deleteRow(w.flagsId, 'Main Line');
    w.t.clock.advance(w.t.config.auditReconcileGraceMs + 1_000);
    passVisibilityDelay(); // the grace period has passed for Genesys too: a write that lags shows by now
    await w.t.services.reconciler.run();
    page = (await agent.get(apply.headers.location!)).text;
    expect(outcomeOf(page, 'Main Line')).toBe('confirmed');
    expect(outcomeOf(page, 'Billing Queue')).toBe('conflict');
    expect(page).toContain('an administrator should look at it');
  });
});
