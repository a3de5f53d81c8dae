// Shared pieces for emulator tests: a simple schema, a table created through the SDK, and a way to read
// the error body the SDK rejects with.
import { buildSchema } from '../../src/emulator/seed.js';
import type { Sdk } from './sdk.js';

export const SIMPLE_FIELDS: Parameters<typeof buildSchema>[0] = [
  ['name', 'string'],
  ['count', 'integer'],
  ['ratio', 'number', { default: 0.5 }],
  ['enabled', 'boolean'],
  ['note', 'string', { default: 'n/a' }],
];

export function simpleSchema() {
  return buildSchema(SIMPLE_FIELDS);
}

export async function createSimpleTable(sdk: Sdk, name = `Table ${Math.random().toString(36).slice(2, 8)}`) {
  const table = await sdk.architect.postFlowsDatatables({
    name,
    description: 'test table',
    schema: simpleSchema(),
  } as never);
  return table as { id: string; name: string; schema: { properties: Record<string, unknown> } };
}

/** Awaits a promise the SDK is expected to reject; returns the Genesys error body it rejected with. */
export async function sdkError(
  p: Promise<unknown>,
): Promise<Record<string, unknown> & { status: number; code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as never;
  }
  throw new Error('expected the SDK call to fail');
}
