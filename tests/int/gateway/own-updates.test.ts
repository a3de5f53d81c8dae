// The gateway reads its own updates (own-writes.ts) when Genesys shows them late (emulator updateVisibility
// 'lagging', UNCONFIRMED — knob): single-row reads and whole-table reads answer the written values within the
// window, compared by meaning; someone else's later change is returned as it is, not hidden behind ours; and the
// memory is bounded in time. The emulator and the gateway share a manual clock.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/emulator.js';
import type { GatewayRegistry } from '../../../src/genesys/gateway-registry.js';
import { ManualClock, sleepOn } from '../../../src/lib/clock.js';
import { connectionFor, emulatorWithTwoOrgs, registryFor } from '../../helpers/gateway-fixtures.js';
import { sdkFor } from '../../helpers/sdk.js';

const clock = new ManualClock(Date.parse('2026-03-03T08:00:00Z'));
let emu: RunningEmulator;
let registry: GatewayRegistry | undefined;
beforeAll(async () => {
  emu = await emulatorWithTwoOrgs({
    now: () => clock.now(),
    behaviour: {
      rateLimitPerMinute: 100_000,
      visibilityDelayMs: 3_000,
      updateVisibility: 'lagging',
      normaliseValues: true,
    },
  });
});
afterAll(async () => emu.stop());
afterEach(() => {
  registry?.closeAll();
  registry = undefined;
  emu.setBehaviour({ visibilityDelayMs: 3_000, updateVisibility: 'lagging' });
  clock.advance(60_000); // every write of a test has shown before the next test
});

const gateway = () => {
  registry ??= registryFor(emu, { clock, sleep: sleepOn(clock) });
  return registry.for('a', connectionFor(emu, emu.clients[0]!, { requestsPerMinute: 100_000 })).gateway;
};
const flagsId = () => [...emu.orgs[0]!.tables.values()].find((t) => t.name === 'Emergency Flags')!.id;
const row = (message: string, priority = 1) => ({
  key: 'Main Line',
  Active: true,
  Message: message,
  Priority: priority,
  ActivatedBy: '',
});

describe('own updates, when Genesys shows them late', () => {
  it('are answered to single-row and whole-table reads inside the window, and after Genesys shows them', async () => {
    const g = gateway();
    await g.getRow(flagsId(), 'Main Line');
    await g.updateRow(flagsId(), 'Main Line', row('Ours  ', 2)); // trimmed and answered as 2.0 by Genesys
    expect(await g.getRow(flagsId(), 'Main Line')).toMatchObject({ Message: 'Ours', Priority: 2 });
    expect((await g.readAllRows(flagsId())).find((r) => r.key === 'Main Line')).toMatchObject({
      Message: 'Ours',
      Priority: 2,
    });
    // A second update inside the window: Genesys still shows the row from before the first.
    await g.updateRow(flagsId(), 'Main Line', row('Ours again', 3));
    expect(await g.getRow(flagsId(), 'Main Line')).toMatchObject({ Message: 'Ours again', Priority: 3 });
    clock.advance(3_001);
    expect(await g.getRow(flagsId(), 'Main Line')).toMatchObject({ Message: 'Ours again', Priority: 3 });
  });

  it("do not hide someone else's later change (Genesys showing updates at once)", async () => {
    emu.setBehaviour({ updateVisibility: 'immediate' });
    const g = gateway();
    await g.getRow(flagsId(), 'Main Line');
    await g.updateRow(flagsId(), 'Main Line', row('Ours'));
    // Someone else, in Genesys itself, before this app reads the row again.
    const other = await sdkFor(emu, emu.clients[0]!);
    await other.architect.putFlowsDatatableRow(flagsId(), 'Main Line', { body: row('Theirs', 9) });
    expect(await g.getRow(flagsId(), 'Main Line')).toMatchObject({ Message: 'Theirs', Priority: 9 });
    expect((await g.readAllRows(flagsId())).find((r) => r.key === 'Main Line')).toMatchObject({ Message: 'Theirs' });
  });

  it('are remembered no longer than the gateway waits for a write to show', async () => {
    emu.setBehaviour({ visibilityDelayMs: 120_000 }); // longer than any wait of the gateway (30 s at most)
    const g = gateway();
    const before = await g.getRow(flagsId(), 'Main Line');
    await g.updateRow(flagsId(), 'Main Line', row('Long lag'));
    expect(await g.getRow(flagsId(), 'Main Line')).toMatchObject({ Message: 'Long lag' });
    clock.advance(30_001);
    expect(await g.getRow(flagsId(), 'Main Line')).toMatchObject({ Message: before!.Message });
  });
});
