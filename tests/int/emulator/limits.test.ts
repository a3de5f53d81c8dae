// Request-size and rate limits as Genesys applies them, visible through the SDK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/emulator.js';
import { sdkFor } from '../../helpers/sdk.js';
import { createSimpleTable, sdkError } from '../../helpers/emulator-fixtures.js';

let emu: RunningEmulator;
let clock = Date.parse('2026-03-01T10:00:00Z');
beforeAll(async () => {
  emu = await startEmulator({ now: () => clock, behaviour: { rateLimitPerMinute: 20 } });
});
afterAll(async () => emu.stop());

describe('request body limit', () => {
  it('accepts a 512,000-byte body and refuses 512,001 bytes with 413', async () => {
    const sdk = await sdkFor(emu, emu.clients[0]!);
    const tableId = (await createSimpleTable(sdk, 'Big')).id;
    const overhead = JSON.stringify({ key: 'big', name: '' }).length;
    const exact = await sdk.architect.postFlowsDatatableRows(tableId, {
      key: 'big',
      name: 'x'.repeat(512_000 - overhead),
    } as never);
    expect(exact.key).toBe('big');
    const overhead2 = JSON.stringify({ key: 'big2', name: '' }).length;
    const err = await sdkError(
      sdk.architect.postFlowsDatatableRows(tableId, { key: 'big2', name: 'x'.repeat(512_001 - overhead2) } as never),
    );
    expect(err).toMatchObject({
      status: 413,
      code: 'request.entity.too.large',
      message: 'The request is over the size limit. Maximum bytes: 512000',
    });
  });
});

describe('rate limit', () => {
  it('answers 429 with an integer Retry-After (visible with extended responses) once a token spends its budget', async () => {
    clock += 120_000;
    const sdk = await sdkFor(emu, emu.clients[0]!, { extended: true });
    for (let i = 0; i < 20; i++)
      expect(((await sdk.architect.getFlowsDatatables()) as unknown as { status: number }).status).toBe(200);
    clock += 18_000;
    const err = (await sdk.architect.getFlowsDatatables().catch((e: unknown) => e)) as {
      status: number;
      headers: Record<string, string>;
      body: Record<string, unknown>;
    };
    expect(err.status).toBe(429);
    expect(err.headers['retry-after']).toBe('42');
    expect(err.body).toMatchObject({
      status: 429,
      code: 'too.many.requests.retry.after',
      message: 'Rate limit exceeded the maximum. Retry the request in [42] seconds',
      contextId: err.headers['inin-correlation-id'],
    });
    clock += 42_000;
    expect(((await sdk.architect.getFlowsDatatables()) as unknown as { status: number }).status).toBe(200);
  });

  it('counts per token: a second token has its own budget', async () => {
    clock += 120_000;
    const a = await sdkFor(emu, emu.clients[0]!, { fresh: true });
    const b = await sdkFor(emu, emu.clients[0]!, { fresh: true });
    for (let i = 0; i < 20; i++) await a.architect.getFlowsDatatables();
    expect((await sdkError(a.architect.getFlowsDatatables())).status).toBe(429);
    expect((await b.architect.getFlowsDatatables()).entities).toBeDefined();
  });

  it('the limit is a knob', async () => {
    clock += 120_000;
    emu.setBehaviour({ rateLimitPerMinute: 2 });
    const sdk = await sdkFor(emu, emu.clients[0]!);
    await sdk.architect.getFlowsDatatables();
    await sdk.architect.getFlowsDatatables();
    expect((await sdkError(sdk.architect.getFlowsDatatables())).status).toBe(429);
    emu.setBehaviour({ rateLimitPerMinute: 20 });
  });
});
