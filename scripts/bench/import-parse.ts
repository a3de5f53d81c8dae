// Benchmark: the import dry run without Genesys — parse + map + validate a 5,000-row × 20-column file, as CSV
// and as XLSX, against a 20-column table holding 2,500 of the keys (so the plan has 2,500 updates and 2,500
// adds) with a date format and a list format; rows per second, best and median of RUNS. Then the peak memory
// (growth of the process's maximum resident set) of refusing a 60 MB CSV streamed in and a zip bomb disguised
// as XLSX (80 MB of blanks declared as 2 KB, and declared as its real size). The refusals run first, so the
// benchmark's own files do not hide their peaks. Usage: npm run bench:import-parse
import os from 'node:os';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Row, TableSchema } from '../../src/genesys/gateway.js';
import type { ColumnFormatSpec } from '../../src/features/formats/format-types.js';
import { autoMapping } from '../../src/features/imports/import-mapping.js';
import { parseUpload, type Upload } from '../../src/features/imports/import-parse.js';
import { blockingProblems, planImport } from '../../src/features/imports/import-plan.js';
import { resolveAccess, visibleColumns } from '../../src/features/permissions/access.js';
import { exactCsv } from '../../src/lib/downloads.js';
import { buildZip, deflatedBlanks, sheetXml, workbookParts } from '../../tests/helpers/zip-builder.js';

const ROWS = 5000;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TYPES = ['string', 'integer', 'boolean', 'number'] as const;
const peakMb = () => (process.resourceUsage().maxRSS * 1024) / 1024 / 1024;

const schema: TableSchema = {
  required: ['key'],
  additionalProperties: false,
  properties: Object.fromEntries([
    ['key', { type: 'string', title: 'Key', displayOrder: 0 }],
    ['day', { type: 'string', title: 'Day', displayOrder: 1 }],
    ['status', { type: 'string', title: 'Status', displayOrder: 2 }],
    ...Array.from({ length: 17 }, (_, i) => [
      `col${i + 1}`,
      { type: TYPES[i % 4], title: `Column ${i + 1}`, displayOrder: i + 3 },
    ]),
  ]),
};
const formats = new Map<string, ColumnFormatSpec>([
  ['day', { kind: 'date' }],
  ['status', { kind: 'list', values: ['Open', 'Closed', 'Half day'] }],
]);
const access = resolveAccess({ isAdmin: true, orgReadOnly: false, orgName: 'Bench', rights: null, schema });
const columns = visibleColumns(access);

function value(column: string, r: number): string | number | boolean {
  if (column === 'key') return `holiday-${String(r).padStart(5, '0')}`;
  if (column === 'day') return `2026-${String((r % 12) + 1).padStart(2, '0')}-${String((r % 28) + 1).padStart(2, '0')}`;
  if (column === 'status') return ['Open', 'Closed', 'Half day'][r % 3]!;
  const type = schema.properties[column]!.type;
  return type === 'integer'
    ? r * 7
    : type === 'number'
      ? r / 8
      : type === 'boolean'
        ? r % 2 === 0
        : `text ${r} ${column}`;
}
const fileRows = Array.from({ length: ROWS }, (_, r) => columns.map((c) => value(c, r)));
// The table holds the even rows; a third of them with another col1 (updates), the odd rows are new (adds).
const tableRows: Row[] = fileRows
  .filter((_, r) => r % 2 === 0)
  .map((cells, i) =>
    Object.fromEntries(columns.map((c, k) => [c, c === 'col1' && i % 3 === 0 ? `old ${i}` : cells[k]!])),
  );

async function xlsxFile(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Holidays');
  ws.addRow(columns.map((c) => schema.properties[c]!.title));
  for (const row of fileRows)
    ws.addRow(row.map((v, k) => (columns[k] === 'day' ? new Date(`${String(v)}T00:00:00Z`) : v)));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function dryRun(upload: Upload) {
  const sheet = await parseUpload(upload);
  const mapping = autoMapping(sheet.header, { table: { schema }, columns });
  return planImport({ sheet, mapping, mode: 'upsert', table: { schema }, access, rows: tableRows, formats });
}

async function measure(name: string, bytes: Buffer, target: number) {
  const first = await dryRun({ name, bytes });
  const blocking = blockingProblems(first);
  if (blocking.length || first.adds.length + first.updates.length + first.unchanged !== ROWS)
    throw new Error(`${name}: unexpected plan ${JSON.stringify(blocking.slice(0, 3))}`);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    await dryRun({ name, bytes });
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    wall.push(performance.now() - t);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const rate = (ms: number) => String(Math.round((ROWS / ms) * 1000)).padStart(6);
  console.log(
    `${name.padEnd(5)} ${(bytes.length / 1024).toFixed(0).padStart(4)} KB  wall: best ${rate(Math.min(...wall))}, median ${rate(median(wall))} rows/s;  CPU time: best ${rate(Math.min(...cpu))}, median ${rate(median(cpu))} rows per CPU-second  (target ≥ ${target}; plan: ${first.adds.length} adds, ${first.updates.length} updates, ${first.unchanged} unchanged)`,
  );
}

async function refusalPeak(what: string, upload: () => Upload) {
  const before = peakMb();
  const t = performance.now();
  const outcome = await parseUpload(upload()).then(
    () => 'ACCEPTED (unexpected)',
    (e: Error) => `${e.name}: ${e.message.slice(0, 70)}…`,
  );
  console.log(
    `${what.padEnd(34)} peak RSS +${(peakMb() - before).toFixed(1)} MB, ${(performance.now() - t).toFixed(0)} ms — ${outcome}`,
  );
}

async function main(): Promise<void> {
  // Other processes share the machine: the load average says how far wall-clock figures are from an idle one;
  // CPU time (this process's user + system) is the figure that load does not inflate.
  console.log(
    `Node ${process.version}, ${RUNS} runs each; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores; peak RSS at start ${peakMb().toFixed(0)} MB`,
  );
  const line = Buffer.from('key,a,b,c\nk,1,2,3\n'.repeat(4096));
  await refusalPeak('60 MB CSV (streamed)', () => {
    let sent = 0;
    return {
      name: 'big.csv',
      stream: new Readable({
        read() {
          this.push(sent >= 60 << 20 ? null : line);
          sent += line.length;
        },
      }),
    };
  });
  const bomb = (declared: number) =>
    buildZip([
      ...workbookParts(sheetXml('')).slice(0, 3),
      { name: 'xl/worksheets/sheet1.xml', data: '', packed: deflatedBlanks(80), declaredSize: declared },
    ]);
  await refusalPeak('zip bomb, 80 MB declared as 2 KB', () => ({ name: 'bomb.xlsx', bytes: bomb(2048) }));
  await refusalPeak('zip bomb, 80 MB declared as such', () => ({ name: 'bomb.xlsx', bytes: bomb(80 << 20) }));
  const csv = Buffer.from(
    exactCsv(
      columns.map((c) => schema.properties[c]!.title!),
      fileRows,
    ),
  );
  await measure('CSV', csv, 20_000);
  await measure('XLSX', await xlsxFile(), 5_000);
}

await main();
