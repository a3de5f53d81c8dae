// Key files that do not fit the database stop start-up with a message naming the file: a missing or replaced
// data-encryption key while encrypted org secrets are stored (instead of generating a new key and answering
// 500 on every org page), and an audit key other than the one the audit chain was keyed with.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertStoredSecretsReadable } from '../../src/features/orgs/data-key-check.js';
import { loadAppSecrets } from '../../src/lib/secret-files.js';
import { freePort, spawnServer, waitForHealthy } from '../helpers/spawn-server.js';
import { createTestApp, type TestApp, ADMIN_ACTOR } from '../helpers/test-app.js';
import { createOrgRepository } from '../../src/features/orgs/org-repository.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
  await t.services.orgs.create(ADMIN_ACTOR, {
    name: 'Acme Prod',
    region: 'us_east_1',
    clientId: 'acme-client',
    clientSecret: 'acme-secret',
    color: 'blue',
    label: '',
    requestsPerMinute: '300',
  });
});
afterEach(async () => t.close());

describe('data-encryption key at start-up', () => {
  it('refuses to start when the key file is missing and secrets are stored, and starts once it is restored', async () => {
    const keyFile = t.config.secretFiles.dataKey;
    const original = readFileSync(keyFile);
    await t.db.$disconnect(); // the spawned server opens the same database
    rmSync(keyFile);
    const refusedPort = await freePort();
    const refused = spawnServer({ DATA_DIR: t.dataDir, PORT: String(refusedPort) });
    const outcome = await Promise.race([
      refused.exited,
      waitForHealthy(refusedPort, refused).then(
        () => 'started',
        () => 'exited',
      ),
    ]);
    if (outcome === 'started') refused.child.kill('SIGINT');
    expect(outcome, refused.output()).not.toBe('started');
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain(
      `The data-encryption key file ${keyFile} is missing, but the database holds 1 org client secret(s) ("Acme Prod")`,
    );
    // The key generated on the way is not left behind: the next start says the same, and the original fits back.
    expect(existsSync(keyFile)).toBe(false);

    writeFileSync(keyFile, original, { mode: 0o600 });
    const port = await freePort();
    const restored = spawnServer({ DATA_DIR: t.dataDir, PORT: String(port) });
    await waitForHealthy(port, restored);
    restored.child.kill('SIGINT');
    expect(await restored.exited).toBe(0);
  }, 90_000); // two server starts

  it('refuses a key file replaced by another valid key, naming the file', async () => {
    writeFileSync(t.config.secretFiles.dataKey, `${randomBytes(32).toString('base64')}\n`);
    const secrets = loadAppSecrets(t.config.secretFiles);
    expect(secrets.dataKeyGenerated).toBe(false);
    await expect(
      assertStoredSecretsReadable(createOrgRepository(t.db), secrets, t.config.secretFiles.dataKey),
    ).rejects.toThrow(`The data-encryption key file ${t.config.secretFiles.dataKey} holds key`);
  });

  it('refuses to start with an audit key other than the one the audit chain was keyed with', async () => {
    await t.db.$disconnect();
    writeFileSync(t.config.secretFiles.auditKey, `${randomBytes(32).toString('base64')}\n`);
    const proc = spawnServer({ DATA_DIR: t.dataDir, PORT: String(await freePort()) });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain(
      `start-up failed: The audit key file ${t.config.secretFiles.auditKey} is not the key this audit log was chained with`,
    );
  }, 60_000);

  it('lets a fresh installation (no secrets stored) generate its key and start', async () => {
    await t.db.genesysOrg.deleteMany();
    rmSync(t.config.secretFiles.dataKey);
    const secrets = loadAppSecrets(t.config.secretFiles);
    expect(secrets.dataKeyGenerated).toBe(true);
    await assertStoredSecretsReadable(createOrgRepository(t.db), secrets, t.config.secretFiles.dataKey);
    expect(existsSync(t.config.secretFiles.dataKey)).toBe(true);
  });
});
