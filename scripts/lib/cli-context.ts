// Shared start-up for the command-line tools: the app's own config, database and services (no HTTP), and
// questions asked at the terminal for whatever was not given as a flag. Nothing here prints a secret.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { loadConfig, loadDotEnv } from '../../src/config.js';
import { configureDb, createDb, databasePath } from '../../src/db/database.js';
import type { DataTable } from '../../src/genesys/gateway.js';
import type { OrgView } from '../../src/features/orgs/org-service.js';
import { systemClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { appVersion } from '../../src/lib/paths.js';
import { Redactor } from '../../src/lib/redact.js';
import { loadAppSecrets } from '../../src/lib/secret-files.js';
import { assertStoredSecretsReadable } from '../../src/features/orgs/data-key-check.js';
import { createOrgRepository } from '../../src/features/orgs/org-repository.js';
import { createServices } from '../../src/services.js';

export class CliError extends Error {}

export async function openCli(flagNames: string[]) {
  const { values } = parseArgs({
    options: Object.fromEntries(
      [...flagNames, 'help'].map((n) => [n, { type: n === 'help' ? 'boolean' : 'string' }] as const),
    ),
    strict: true,
  });
  loadDotEnv();
  const config = loadConfig(process.env, { version: appVersion() });
  const redactor = new Redactor();
  const logger = createLogger({ level: 'error', console: true, redactor });
  const db = createDb(databasePath(config.dataDir));
  await configureDb(db);
  const secrets = loadAppSecrets(config.secretFiles);
  await assertStoredSecretsReadable(createOrgRepository(db), secrets, config.secretFiles.dataKey);
  redactor.addSecret(config.envOrg?.clientSecret);
  const services = createServices({ config, db, logger, secrets, clock: systemClock, redactor, sandboxReadOnly: true });
  // Opened on the first question only, so fully flagged runs never wait on stdin.
  let rl: ReturnType<typeof createInterface> | undefined;
  let lines: AsyncIterator<string> | undefined;
  const ask = async (question: string): Promise<string> => {
    rl ??= createInterface({ input: process.stdin, terminal: false });
    lines ??= rl[Symbol.asyncIterator]();
    process.stdout.write(question);
    const next = await lines.next();
    if (next.done) throw new CliError(`No answer given to: ${question.trim()}`);
    return String(next.value).trim();
  };

  return {
    values: values as Record<string, string | boolean | undefined>,
    services,
    async chooseOrg(): Promise<OrgView> {
      const orgs = await services.orgs.list();
      if (orgs.length === 0)
        throw new CliError('No Genesys org is configured. Add one in the app (Genesys orgs) first.');
      let wanted = typeof values.org === 'string' ? values.org : undefined;
      if (!wanted) {
        console.log('Genesys orgs:');
        orgs.forEach((o, i) =>
          console.log(`  ${i + 1}. ${o.name}${o.isSandbox ? ' (Sandbox)' : ''} — ${o.regionLabel}`),
        );
        wanted = await ask('Org (number, name or id): ');
      }
      const org =
        orgs[Number(wanted) - 1] ?? orgs.find((o) => o.id === wanted || o.name.toLowerCase() === wanted!.toLowerCase());
      if (!org) throw new CliError(`No org matches "${wanted}". Known orgs: ${orgs.map((o) => o.name).join(', ')}`);
      return org;
    },
    async chooseTable(org: OrgView): Promise<DataTable> {
      const tables = await (await services.orgs.gatewayFor(org.id)).listTables();
      let wanted = typeof values.table === 'string' ? values.table : undefined;
      if (!wanted) {
        console.log(`Data tables in ${org.name}:`);
        tables.forEach((t, i) => console.log(`  ${i + 1}. ${t.name}`));
        wanted = await ask('Table (number, name or id): ');
      }
      const table =
        tables[Number(wanted) - 1] ??
        tables.find((t) => t.id === wanted || t.name.toLowerCase() === wanted!.toLowerCase());
      if (!table) throw new CliError(`No table matches "${wanted}" in ${org.name}.`);
      return table;
    },
    ask,
    async close() {
      rl?.close();
      await services.shutdown();
      await db.$disconnect();
    },
  };
}

/** Runs a tool: prints CliErrors (and Genesys errors) as one clear line with exit code 1. */
export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    const e = err as Error & { expose?: boolean };
    console.error(err instanceof CliError || e.expose ? e.message : `Failed: ${e.message}`);
    process.exitCode = 1;
  }
}
