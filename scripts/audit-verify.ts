// npm run audit:verify [-- --db PATH --key PATH --checkpoints PATH] — checks the audit log's keyed hash chain
// against the latest signed checkpoint and reports the first problem. Exit code 0 when intact, 1 when broken,
// 2 when it cannot check. Works on a copy of the database too (--db); the audit key (DATA_DIR/secrets/audit-key)
// is needed, and the checkpoint file (DATA_DIR/audit-checkpoints.jsonl, or a copy shipped elsewhere) shows
// entries removed from the end.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, loadDotEnv } from '../src/config.js';
import { createDb, databasePath } from '../src/db/database.js';
import { createAuditReaderRepository } from '../src/features/audit/audit-reader-repository.js';
import { checkpointFilePath } from '../src/features/audit/audit-checkpoints.js';
import { verifyAuditChain, verifyOptionsFor } from '../src/features/audit/audit-verify.js';
import { appVersion } from '../src/lib/paths.js';
import { readSecretFile } from '../src/lib/secret-files.js';

const { values } = parseArgs({
  options: { db: { type: 'string' }, key: { type: 'string' }, checkpoints: { type: 'string' } },
});
loadDotEnv();
const config = loadConfig(process.env, { version: appVersion() });
const dbPath = values.db ?? databasePath(config.dataDir);
const db = createDb(dbPath);
try {
  const key = values.key ? readSecretFile(values.key, 32, 'audit key') : verifyOptionsFor(config).key;
  const checkpointFile = values.checkpoints ?? checkpointFilePath(config.dataDir);
  const result = await verifyAuditChain(createAuditReaderRepository(db), { key, checkpointFile });
  const checkpointNote = result.checkpoint
    ? ` Latest signed checkpoint (${result.checkpoint.at}, entry #${result.checkpoint.seq}) matches.`
    : ` No signed checkpoint in ${checkpointFile}${existsSync(checkpointFile) ? '' : ' (no such file)'}: entries removed from the end cannot be detected.`;
  const legacy =
    result.keyedFromSeq && result.keyedFromSeq > 1
      ? ` Entries before #${result.keyedFromSeq} carry the older unkeyed hash.`
      : '';
  if (result.ok) {
    console.log(
      `Audit log intact: ${result.checked} entries checked${result.head ? `; head #${result.head.seq} ${result.head.hash}` : ''}.${legacy}${checkpointNote}`,
    );
  } else {
    console.log(
      `Audit log BROKEN at entry #${result.brokenAt!.seq}: ${result.brokenAt!.reason}. ${result.checked} entries before it are intact.`,
    );
    process.exitCode = 1;
  }
} catch (err) {
  console.error(`Could not verify the audit log in ${dbPath}: ${(err as Error).message}`);
  process.exitCode = 2;
} finally {
  await db.$disconnect();
}
