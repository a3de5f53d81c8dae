// npm run audit:verify [-- --db PATH] — checks the audit log's hash chain and reports the first broken link.
// Exit code 0 when intact, 1 when broken. Works on a copy of the database too (--db).
import { parseArgs } from 'node:util';
import { loadConfig, loadDotEnv } from '../src/config.js';
import { createDb, databasePath } from '../src/db/database.js';
import { verifyAuditChain } from '../src/features/audit/audit-verify.js';
import { appVersion } from '../src/lib/paths.js';

const { values } = parseArgs({ options: { db: { type: 'string' } } });
loadDotEnv();
const dbPath = values.db ?? databasePath(loadConfig(process.env, { version: appVersion() }).dataDir);
const db = createDb(dbPath);
try {
  const result = await verifyAuditChain(db);
  if (result.ok) {
    console.log(`Audit log intact: ${result.checked} entries checked${result.head ? `; head #${result.head.seq} ${result.head.hash}` : ''}.`);
  } else {
    console.log(`Audit log BROKEN at entry #${result.brokenAt!.seq}: ${result.brokenAt!.reason}. ${result.checked} entries before it are intact.`);
    process.exitCode = 1;
  }
} catch (err) {
  console.error(`Could not verify the audit log in ${dbPath}: ${(err as Error).message}`);
  process.exitCode = 2;
} finally {
  await db.$disconnect();
}
