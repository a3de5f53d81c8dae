// The per-org queue under pressure: a 429 pauses the whole org for Retry-After, the pace stays under the
// budget, interactive calls overtake queued bulk calls, and another org is unaffected.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/emulator.js';
import type { GatewayRegistry } from '../../../src/genesys/gateway-registry.js';
import { OrgRequestQueue } from '../../../src/genesys/request-queue.js';
import { ManualClock, sleepOn } from '../../../src/lib/clock.js';
import { connectionFor, emulatorWithTwoOrgs, registryFor } from '../../helpers/gateway-fixtures.js';

let emu: RunningEmulator;
let registry: GatewayRegistry;
beforeAll(async () => {
  emu = await emulatorWithTwoOrgs({ behaviour: { rateLimitPerMinute: 100_000 } });
});
afterAll(async () => emu.stop());
afterEach(() => {
  registry?.closeAll();
  emu.faults.clear();
  emu.setBehaviour({ rateLimitPerMinute: 100_000 });
});

describe('429 handling', () => {
  it('pauses the org for Retry-After before sending anything else, then completes every call', async () => {
    registry = registryFor(emu);
    const a = registry.for('a', connectionFor(emu, emu.clients[0]!, { requestsPerMinute: 100_000 }));
    const flags = (await a.gateway.listTables()).find((t) => t.name === 'Emergency Flags')!.id;
    emu.faults.set([
      {
        method: 'GET',
        path: '/api/v2/flows/datatables/*/rows/*',
        action: { type: 'status', status: 429, retryAfterSeconds: 2 },
      },
    ]);
    const started = emu.requestLog.length;
    // The other calls are made once the app has the 429 in hand: a request already on the wire before the
    // answer came back cannot be held, and paced requests (request-pacer.ts) would race that answer.
    const first = a.gateway.getRow(flags, 'Main Line');
    while (a.queue.stats.rateLimited === 0) await new Promise((r) => setTimeout(r, 5));
    const results = await Promise.all([
      first,
      ...['Billing Queue', 'Weather Closure', 'IT Outage / Website'].map((k) => a.gateway.getRow(flags, k)),
    ]);
    expect(results.every((r) => r !== null)).toBe(true);
    const log = emu.requestLog.slice(started).filter((e) => e.clientId === 'client-a' && e.path.startsWith('/api/'));
    const limited = log.find((e) => e.status === 429)!;
    const limitedAt = Date.parse(limited.time);
    // Nothing for this org was sent between the 429 and the end of its Retry-After window...
    const sentAfter = log.filter((e) => Date.parse(e.time) - e.ms > limitedAt);
    expect(sentAfter.length).toBeGreaterThan(0);
    for (const e of sentAfter) expect(Date.parse(e.time) - e.ms - limitedAt).toBeGreaterThanOrEqual(1_900);
    expect(a.queue.stats.rateLimited).toBe(1);
  });

  it('keeps working through a 429 storm without failing a call, and leaves other orgs alone', async () => {
    registry = registryFor(emu);
    const a = registry.for('a', connectionFor(emu, emu.clients[0]!, { requestsPerMinute: 100_000 }));
    const b = registry.for('b', connectionFor(emu, emu.clients[1]!, { requestsPerMinute: 100_000 }));
    const flagsA = (await a.gateway.listTables()).find((t) => t.name === 'Emergency Flags')!.id;
    const flagsB = (await b.gateway.listTables()).find((t) => t.name === 'Emergency Flags')!.id;
    emu.faults.set([
      {
        clientId: 'client-a',
        path: '/api/v2/flows/datatables/*/rows/*',
        times: 5,
        action: { type: 'status', status: 429, retryAfterSeconds: 1 },
      },
    ]);
    const bStarted = performance.now();
    const [aRows, bRow] = await Promise.all([
      Promise.all(Array.from({ length: 6 }, () => a.gateway.getRow(flagsA, 'Main Line'))),
      b.gateway.getRow(flagsB, 'Main Line'),
    ]);
    expect(performance.now() - bStarted).toBeGreaterThan(0);
    expect(aRows.every((r) => r?.key === 'Main Line')).toBe(true);
    expect(bRow?.key).toBe('Main Line');
    expect(b.queue.stats.rateLimited).toBe(0);
    expect(a.queue.stats.rateLimited).toBeGreaterThanOrEqual(1);
  });
});

describe('pacing and priorities', () => {
  it('spaces requests to stay under the org budget when asked to go faster', async () => {
    emu.setBehaviour({ rateLimitPerMinute: 600 });
    // The queue waits for each request's start on its injected clock: a manual one here, so the start times
    // it asks to wait for are the pace it keeps, however busy the machine is (no wall-clock timing).
    const clock = new ManualClock();
    const wakeUps: number[] = [];
    const sleep = sleepOn(clock);
    registry = registryFor(emu, { clock, sleep: (ms) => (wakeUps.push(clock.now() + ms), sleep(ms)) });
    const a = registry.for('a', connectionFor(emu, emu.clients[0]!, { requestsPerMinute: 600 }));
    const flags = (await a.gateway.listTables()).find((t) => t.name === 'Emergency Flags')!.id;
    const from = emu.requestLog.length;
    clock.advance(1_000); // past the listing's slot: the first PUT starts at once, the other eleven wait
    const firstStart = clock.now();
    wakeUps.length = 0;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        a.gateway.updateRow(flags, 'Main Line', {
          key: 'Main Line',
          Active: i % 2 === 0,
          Message: `m${i}`,
          Priority: 1,
          ActivatedBy: '',
        }),
      ),
    );
    const puts = emu.requestLog.slice(from).filter((e) => e.method === 'PUT' && e.clientId === 'client-a');
    expect(puts).toHaveLength(12);
    expect(puts.filter((e) => e.status === 429)).toHaveLength(0);
    // 600/min less a 5% margin = one request every ~106 ms: starts are spaced, not a burst of 12.
    const starts = [firstStart, ...wakeUps].sort((x, y) => x - y);
    expect(starts).toHaveLength(12);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(80);
  });

  it('lets an interactive call overtake queued background calls', async () => {
    const queue = new OrgRequestQueue({ requestsPerMinute: 6000, concurrency: 1 });
    const order: string[] = [];
    const task = (name: string) => async () => {
      order.push(name);
      await new Promise((r) => setTimeout(r, 5));
      return name;
    };
    const background = Array.from({ length: 5 }, (_, i) => queue.run(task(`bulk${i}`), 'background'));
    await new Promise((r) => setTimeout(r, 1));
    const interactive = queue.run(task('edit'), 'interactive');
    await Promise.all([...background, interactive]);
    expect(order.indexOf('edit')).toBeLessThan(order.indexOf('bulk4'));
    expect(order.indexOf('edit')).toBeLessThanOrEqual(2);
    queue.close();
  });
});
