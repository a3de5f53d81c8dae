// npm run keys:rotate — re-encrypts every stored Genesys client secret with a new data-encryption key.
// Stop the server first. See src/lib/key-rotation.ts.
import { loadConfig, loadDotEnv } from '../src/config.js';
import { configureDb, createDb, databasePath } from '../src/db/database.js';
import { rotateDataKey } from '../src/features/orgs/key-rotation.js';
import { createOrgRepository } from '../src/features/orgs/org-repository.js';
import { appVersion } from '../src/lib/paths.js';

loadDotEnv();
const config = loadConfig(process.env, { version: appVersion() });
const db = createDb(databasePath(config.dataDir));
try {
  await configureDb(db);
  const result = await rotateDataKey(createOrgRepository(db), config.secretFiles.dataKey);
  console.log(
    `Data-encryption key rotated: ${result.oldKeyId} -> ${result.newKeyId}; ${result.reEncrypted} secret(s) re-encrypted.`,
  );
  console.log(
    `The old key is kept as data-key.retired-${result.oldKeyId}: keep it while you may restore a database backup taken before now.`,
  );
} catch (err) {
  console.error(`Key rotation failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
