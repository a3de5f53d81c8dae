// K2: rotating the data-encryption key re-encrypts every secret, keeps old backups readable, survives an
// interrupted run, and the app keeps connecting afterwards.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.js';
import { createOrgService, secretAad } from '../../src/features/orgs/org-service.js';
import { rotateDataKey } from '../../src/features/orgs/key-rotation.js';
import { keyIdOf, SecretBox } from '../../src/lib/secret-box.js';
import { loadAppSecrets } from '../../src/lib/secret-files.js';
import { createTestApp, type TestApp, ADMIN_ACTOR } from '../helpers/test-app.js';
import { createOrgRepository } from '../../src/features/orgs/org-repository.js';
import { createTransact } from '../../src/db/transaction.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ clients: [{ name: 'Rot', clientId: 'rot-client', clientSecret: 'rot-secret' }] });
});
afterAll(async () => emu.stop());

async function appWithOrgs(): Promise<TestApp> {
  const t = await createTestApp({
    gatewaySettings: { apiOverride: { host: '127.0.0.1', port: emu.port, protocol: 'http' } },
  });
  for (const name of ['One', 'Two']) {
    await t.services.orgs.create(ADMIN_ACTOR, {
      name,
      region: 'us_east_1',
      clientId: 'rot-client',
      clientSecret: 'rot-secret',
      color: 'blue',
      label: '',
      requestsPerMinute: '300',
    });
  }
  return t;
}

describe('data-key rotation', () => {
  it('re-encrypts every secret with the new key and retires the old one', async () => {
    const t = await appWithOrgs();
    try {
      const oldKey = t.services.secrets.dataKey;
      const result = await rotateDataKey(createOrgRepository(t.db), t.config.secretFiles.dataKey);
      expect(result).toMatchObject({ oldKeyId: keyIdOf(oldKey), reEncrypted: 2 });
      const secrets = loadAppSecrets(t.config.secretFiles);
      expect(keyIdOf(secrets.dataKey)).toBe(result.newKeyId);
      expect(secrets.retiredDataKeys.some((k) => k.equals(oldKey))).toBe(true);
      const box = new SecretBox(secrets.dataKey); // the new key alone opens every row
      for (const org of await t.db.genesysOrg.findMany()) {
        expect(org.secretKeyId).toBe(result.newKeyId);
        expect(box.keyIdOfPayload(org.clientSecretEnc!)).toBe(result.newKeyId);
        expect(box.decrypt(org.clientSecretEnc!, secretAad(org.id))).toBe('rot-secret');
      }
      expect(readdirSync(path.dirname(t.config.secretFiles.dataKey))).toContain(`data-key.retired-${result.oldKeyId}`);
      // A restarted app (new key ring) still connects.
      const orgs = createOrgService({
        ...t.services,
        repo: createOrgRepository(t.db),
        transact: createTransact(t.db),
        secretBox: new SecretBox(secrets.dataKey, secrets.retiredDataKeys),
        config: t.config,
        gateways: t.services.gateways,
      });
      const id = (await t.db.genesysOrg.findFirstOrThrow()).id;
      t.services.gateways.drop(id);
      expect((await orgs.test(id)).ok).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('resumes an interrupted rotation with the same new key, and start-up can read its rows meanwhile', async () => {
    const t = await appWithOrgs();
    try {
      const nextKey = Buffer.alloc(32, 9);
      writeFileSync(`${t.config.secretFiles.dataKey}.next`, nextKey.toString('base64'), { mode: 0o600 });
      // A crashed run may have committed rows under the next key: they must stay readable at start-up.
      expect(loadAppSecrets(t.config.secretFiles).retiredDataKeys.some((k) => k.equals(nextKey))).toBe(true);
      const result = await rotateDataKey(createOrgRepository(t.db), t.config.secretFiles.dataKey);
      expect(result.newKeyId).toBe(keyIdOf(nextKey));
      expect(existsSync(`${t.config.secretFiles.dataKey}.next`)).toBe(false);
    } finally {
      await t.close();
    }
  });
});
