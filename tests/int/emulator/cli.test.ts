// The standalone emulator as documented in the README: `npm run emulator -- [flags]`.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../../src/emulator/cli.js';
import { projectRoot } from '../../../src/lib/paths.js';
import { newApiClient, sdkFor } from '../../helpers/sdk.js';
import { sdkError } from '../../helpers/emulator-fixtures.js';
import type { RunningEmulator } from '../../../src/emulator/emulator.js';

const cli = [
  path.join(projectRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
  path.join(projectRoot, 'src', 'emulator', 'cli.ts'),
];

describe('emulator CLI', () => {
  it('parses every knob', () => {
    const o = parseCli([
      '--port',
      '9200',
      '--seed',
      'none',
      '--client-id',
      'id',
      '--client-secret',
      's',
      '--org-name',
      'Acme',
      '--rate-limit',
      '60',
      '--latency',
      '50',
      '--jitter',
      '10',
      '--token-lifetime',
      '300',
      '--max-rows',
      '10',
      '--max-tables',
      '3',
      '--max-fields',
      '5',
      '--max-key-length',
      '20',
      '--max-body-bytes',
      '1000',
      '--max-page-size',
      '100',
      '--page-size-over-cap',
      'clamp',
      '--put-unknown-row',
      'upsert',
      '--job-delay',
      '5',
      '--fault',
      '{"nth":2,"action":{"type":"reset"}}',
    ]);
    expect(o).toMatchObject({
      port: 9200,
      seed: 'none',
      clients: [{ name: 'Acme', clientId: 'id', clientSecret: 's' }],
      limits: { maxRowsPerTable: 10, maxTablesPerOrg: 3, maxFields: 5, maxKeyLength: 20, maxBodyBytes: 1000 },
      behaviour: {
        rateLimitPerMinute: 60,
        latencyMs: 50,
        latencyJitterMs: 10,
        tokenLifetimeSeconds: 300,
        maxPageSize: 100,
        pageSizeOverCap: 'clamp',
        putUnknownRow: 'upsert',
        jobDelayMs: 5,
      },
      faults: [{ nth: 2, action: { type: 'reset' } }],
    });
  });

  it('parses the strictness knobs, the profile and a narrower role', () => {
    const o = parseCli([
      '--profile',
      'realistic',
      '--oauth-error-status',
      '401',
      '--token-requests',
      '5',
      '--ungranted-division',
      'not-found',
      '--visibility-delay',
      '2000',
      '--update-visibility',
      'lagging',
      '--max-response-bytes',
      '50000',
      '--upload-content-type',
      'text/csv; charset=utf-8',
      '--normalise-values',
      'on',
      '--permissions',
      'datatable:view,architect:datatableRow:view',
      '--divisions',
      'Home',
    ]);
    expect(o).toMatchObject({
      profile: 'realistic',
      role: { 'architect:datatable:view': ['Home'], 'architect:datatableRow:view': ['Home'] },
      behaviour: {
        oauthErrorStatus: 401,
        tokenRequestsPerMinute: 5,
        ungrantedDivision: 'not-found',
        visibilityDelayMs: 2000,
        updateVisibility: 'lagging',
        maxResponseBytes: 50000,
        uploadContentType: 'text/csv; charset=utf-8',
        normaliseValues: true,
      },
    });
    expect(Object.keys((o as { role: object }).role)).toHaveLength(2);
    expect(parseCli(['--grant', 'datatable:view=*', '--grant', 'datatableRow:edit=Home, Customer Care'])).toMatchObject(
      {
        role: { 'architect:datatable:view': '*', 'architect:datatableRow:edit': ['Home', 'Customer Care'] },
      },
    );
    expect(parseCli(['--divisions', 'Home'])).toMatchObject({
      role: { 'architect:datatable:delete': ['Home'], 'architect:datatableRow:delete': ['Home'] },
    });
    expect(parseCli([])).not.toHaveProperty('role');
    expect(() => parseCli(['--permissions', 'datatable:fly'])).toThrow(/unknown permission "datatable:fly"/);
    expect(() => parseCli(['--grant', 'datatable:view'])).toThrow(/PERMISSION=DIVISIONS/);
    expect(() => parseCli(['--grant', 'datatable:view=*', '--divisions', 'Home'])).toThrow(/use one or the other/);
    expect(() => parseCli(['--profile', 'harsh'])).toThrow(/--profile must be one of default, realistic/);
    expect(() => parseCli(['--oauth-error-status', '403'])).toThrow(/400, 401/);
  });

  it('explains bad flags', () => {
    expect(() => parseCli(['--rate-limit', 'lots'])).toThrow(/--rate-limit must be a whole number/);
    expect(() => parseCli(['--client-id', 'x'])).toThrow(/go together/);
    expect(() => parseCli(['--bogus'])).toThrow();
    const res = spawnSync(process.execPath, [...cli, '--seed', 'everything'], { encoding: 'utf8' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('--seed must be one of demo, none');
  });

  it('--help lists every knob', () => {
    const res = spawnSync(process.execPath, [...cli, '--help'], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    const flags = [
      '--port',
      '--seed',
      '--client-id',
      '--client-secret',
      '--rate-limit',
      '--latency',
      '--token-lifetime',
      '--max-rows',
      '--max-tables',
      '--max-fields',
      '--fault',
      '--persist',
    ];
    flags.push(
      '--profile',
      '--oauth-error-status',
      '--token-requests',
      '--permissions',
      '--divisions',
      '--grant',
      '--ungranted-division',
      '--visibility-delay',
      '--max-response-bytes',
      '--upload-content-type',
      '--normalise-values',
    );
    for (const flag of flags) {
      expect(res.stdout).toContain(flag);
    }
  });

  it('runs in the foreground, prints its URL and credentials, and serves the SDK', async () => {
    const child = spawn(
      process.execPath,
      [...cli, '--port', '0', '--client-id', 'cli-id', '--client-secret', 'cli-secret', '--rate-limit', '3'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "listening" line: ${out}`)), 20_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      expect(out).toContain('client id:     cli-id');
      const port = Number(new URL(url).port);
      const emu = { port } as RunningEmulator;
      const sdk = await sdkFor(emu, { clientId: 'cli-id', clientSecret: 'cli-secret', orgId: '', orgName: '' });
      expect((await sdk.architect.getFlowsDatatables()).total).toBe(5);
      await sdk.architect.getFlowsDatatables();
      await sdk.architect.getFlowsDatatables();
      expect((await sdkError(sdk.architect.getFlowsDatatables())).status).toBe(429);
      expect(newApiClient(emu)).toBeDefined();
    } finally {
      child.kill('SIGINT');
    }
  });
});
