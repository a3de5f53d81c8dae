// npm run check-schema [-- --org ORG --table TABLE]
// Prints a data table's schema: fields in display order with types, defaults and bounds, and how close the
// table is to Genesys' limits (5,000 rows, 50 fields).
import { openCli, runCli } from './lib/cli-context.js';

const HELP = 'Usage: npm run check-schema -- [--org <name|id|number>] [--table <name|id|number>]';
const MAX_ROWS = 5000;
const MAX_FIELDS = 50;

await runCli(async () => {
  const cli = await openCli(['org', 'table']);
  try {
    if (cli.values.help) return console.log(HELP);
    const org = await cli.chooseOrg();
    const table = await cli.chooseTable(org);
    const rows = await (await cli.services.orgs.gatewayFor(org.id)).readAllRows(table.id);
    const fields = Object.entries(table.schema.properties).sort(([a, pa], [b, pb]) =>
      a === 'key'
        ? -1
        : b === 'key'
          ? 1
          : (pa.displayOrder ?? Number.MAX_SAFE_INTEGER) - (pb.displayOrder ?? Number.MAX_SAFE_INTEGER),
    );
    console.log(`${table.name} (${table.id}) in ${org.name}`);
    if (table.description) console.log(`  ${table.description}`);
    console.log(`  division: ${table.division.name || table.division.id}`);
    console.log(`  rows:   ${rows.length} of ${MAX_ROWS} (${Math.round((rows.length / MAX_ROWS) * 100)}%)`);
    console.log(`  fields: ${fields.length} of ${MAX_FIELDS}`);
    console.log('  display order, field, type, title, default, bounds:');
    fields.forEach(([name, f], i) => {
      const bounds = [
        f.minLength !== undefined && `minLength ${f.minLength}`,
        f.maxLength !== undefined && `maxLength ${f.maxLength}`,
        f.minimum !== undefined && `minimum ${f.minimum}`,
        f.maximum !== undefined && `maximum ${f.maximum}`,
      ]
        .filter(Boolean)
        .join(', ');
      console.log(
        `  ${String(i).padStart(3)}  ${name}  ${f.type}  "${f.title ?? name}"  default ${f.default === undefined ? '-' : JSON.stringify(f.default)}${bounds ? `  ${bounds}` : ''}${name === 'key' ? '  (row key)' : ''}`,
      );
    });
  } finally {
    await cli.close();
  }
});
