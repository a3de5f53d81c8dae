// Columns may be called `constructor`, `__proto__`, `prototype` or `toString` in Genesys. The SDK hands request
// bodies to axios, whose config merge copies plain objects key by key and skips `__proto__`, `constructor` and
// `prototype` (a guard against prototype pollution): such columns vanished from every create and update, and
// Genesys then stored their defaults — data lost while the audit log recorded the values as written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/emulator.js';
import type { GatewayRegistry } from '../../../src/genesys/gateway-registry.js';
import type { Row, TableSchema } from '../../../src/genesys/gateway.js';
import { connectionFor, emulatorWithTwoOrgs, registryFor } from '../../helpers/gateway-fixtures.js';

const AWKWARD = ['constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty'];

/** A row or schema whose own keys include `__proto__` (an object literal would set the prototype instead). */
function withOwnKeys<T>(entries: [string, T][]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

function schemaWithAwkwardColumns(): TableSchema {
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    type: 'object',
    required: ['key'],
    additionalProperties: false,
    properties: withOwnKeys([
      ['key', { type: 'string', title: 'Key', $id: '/properties/key', displayOrder: 0 }],
      ...AWKWARD.map((c, i): [string, TableSchema['properties'][string]] => [
        c,
        { type: 'string', title: c, $id: `/properties/${c}`, displayOrder: i + 1 },
      ]),
    ]),
  };
}

let emu: RunningEmulator;
let registry: GatewayRegistry;
beforeAll(async () => {
  emu = await emulatorWithTwoOrgs({ behaviour: { rateLimitPerMinute: 100_000 } });
  registry = registryFor(emu);
});
afterAll(async () => {
  registry.closeAll();
  await emu.stop();
});

const gateway = () => registry.for('a', connectionFor(emu, emu.clients[0]!, { requestsPerMinute: 100_000 })).gateway;
const valuesOf = (row: Row | null) => AWKWARD.map((c) => (row && Object.hasOwn(row, c) ? row[c] : undefined));

describe('columns named like Object.prototype members', () => {
  it('are sent in table schemas, created rows and updated rows', async () => {
    const table = await gateway().createTable({
      name: `Awkward ${Date.now()}`,
      description: 'prototype-named columns',
      schema: schemaWithAwkwardColumns(),
    });
    expect(AWKWARD.every((c) => Object.hasOwn(table.schema.properties, c))).toBe(true);

    await gateway().createRow(
      table.id,
      withOwnKeys<string>([['key', 'k1'], ...AWKWARD.map((c): [string, string] => [c, `${c}-1`])]),
    );
    expect(valuesOf(await gateway().getRow(table.id, 'k1'))).toEqual(AWKWARD.map((c) => `${c}-1`));

    await gateway().updateRow(
      table.id,
      'k1',
      withOwnKeys<string>([['key', 'k1'], ...AWKWARD.map((c): [string, string] => [c, `${c}-2`])]),
    );
    expect(valuesOf(await gateway().getRow(table.id, 'k1'))).toEqual(AWKWARD.map((c) => `${c}-2`));
    expect(valuesOf((await gateway().readAllRows(table.id))[0]!)).toEqual(AWKWARD.map((c) => `${c}-2`));
  });
});
