// npm run inspect-row / check-schema: flags for scripts, questions at the terminal otherwise; never secrets.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretAad } from '../../src/features/orgs/org-service.js';
import { projectRoot } from '../../src/lib/paths.js';
import { SecretBox } from '../../src/lib/secret-box.js';
import { createTestApp, type TestApp, ADMIN_ACTOR } from '../helpers/test-app.js';

let t: TestApp;
let sandboxSecret: string;
beforeAll(async () => {
  t = await createTestApp();
  const org = await t.services.orgs.createSandbox(ADMIN_ACTOR);
  await t.services.sandbox.running!.flush();
  const row = await t.db.genesysOrg.findUniqueOrThrow({ where: { id: org.id } });
  sandboxSecret = new SecretBox(t.services.secrets.dataKey).decrypt(row.clientSecretEnc!, secretAad(org.id));
});
afterAll(async () => t.close());

function runTool(script: string, args: string[], input = ''): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        path.join(projectRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        path.join(projectRoot, 'scripts', script),
        ...args,
      ],
      {
        cwd: projectRoot,
        env: { PATH: process.env.PATH ?? '', DATA_DIR: t.dataDir, LOG_CONSOLE: 'false' },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.end(input);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('check-schema', () => {
  it('prints fields in display order with types, and the row and field counts against the limits', async () => {
    const { code, out } = await runTool('check-schema.ts', ['--org', 'Sandbox', '--table', 'VIP Customers']);
    expect(code, out).toBe(0);
    expect(out).toContain('VIP Customers');
    expect(out).toContain('rows:   2000 of 5000 (40%)');
    expect(out).toContain('fields: 8 of 50');
    expect(out).toMatch(/0 {2}key {2}string {2}"Phone number".*\(row key\)/);
    expect(out).toMatch(/1 {2}CustomerName {2}string/);
    expect(out).toMatch(/5 {2}LifetimeValue {2}number/);
    expect(out).not.toContain(sandboxSecret);
  });
});

describe('inspect-row', () => {
  it('prints a row by flags (keys with slashes work)', async () => {
    const { code, out } = await runTool('inspect-row.ts', [
      '--org',
      'Sandbox',
      '--table',
      'Opening Hours',
      '--key',
      'Sales/Mon',
    ]);
    expect(code, out).toBe(0);
    expect(out).toContain('Sandbox › Opening Hours › Sales/Mon');
    expect(out).toMatch(/Open +"08:00" +\(string\)/);
    expect(out).toMatch(/Closed +false +\(boolean\)/);
    expect(out).not.toContain(sandboxSecret);
  });

  it('asks for org, table and key when they are not given', async () => {
    const { code, out } = await runTool('inspect-row.ts', [], '1\n2\n2026-12-25\n');
    expect(code, out).toBe(0);
    expect(out).toContain('Org (number, name or id): ');
    expect(out).toContain('2. Holiday Calendar');
    expect(out).toContain('Row key: ');
    expect(out).toMatch(/Holiday +"Christmas Day"/);
  });

  it('explains an unknown row or table with exit code 1', async () => {
    const missing = await runTool('inspect-row.ts', ['--org', 'Sandbox', '--table', 'Opening Hours', '--key', 'Nope']);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('No row with key "Nope" in Opening Hours (Sandbox).');
    const table = await runTool('inspect-row.ts', ['--org', 'Sandbox', '--table', 'Nothing', '--key', 'x']);
    expect(table.code).toBe(1);
    expect(table.out).toContain('No table matches "Nothing" in Sandbox.');
  });
});
