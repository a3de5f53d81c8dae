// npm run inspect-row [-- --org ORG --table TABLE --key KEY]
// Prints one row of a Genesys data table with each field's type. Asks for whatever is not given.
import { CliError, openCli, runCli } from './lib/cli-context.js';

const HELP = 'Usage: npm run inspect-row -- [--org <name|id|number>] [--table <name|id|number>] [--key <row key>]';

await runCli(async () => {
  const cli = await openCli(['org', 'table', 'key']);
  try {
    if (cli.values.help) return console.log(HELP);
    const org = await cli.chooseOrg();
    const table = await cli.chooseTable(org);
    const key = typeof cli.values.key === 'string' ? cli.values.key : await cli.ask('Row key: ');
    const row = await (await cli.services.orgs.gatewayFor(org.id)).getRow(table.id, key);
    if (!row) throw new CliError(`No row with key "${key}" in ${table.name} (${org.name}).`);
    console.log(`${org.name} › ${table.name} › ${key}`);
    const width = Math.max(...Object.keys(row).map((k) => k.length));
    for (const [field, value] of Object.entries(row)) {
      const type = table.schema.properties[field]?.type ?? '?';
      console.log(`  ${field.padEnd(width)}  ${JSON.stringify(value)}  (${type})`);
    }
  } finally {
    await cli.close();
  }
});
