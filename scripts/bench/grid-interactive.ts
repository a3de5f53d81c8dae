// Benchmark: time until a 5,000-row × 20-column table is interactive in Chromium, and its page weight (HTML +
// JS + CSS), for the grid this app ships (server-rendered <table> + public/js/grid/) and, when GRIDLAB_DIR
// points at unpacked npm packages (see docs/adr/024-grid-editing.md; never installed into this repo), for the
// libraries the ADR compares: Tabulator, AG Grid Community, RevoGrid, each given the same rows as data.
// Every page is served with the app's Content-Security-Policy; violations are counted (a library that needs
// inline styles or eval breaks under it). "Interactive": the grid says it is ready (our table's
// data-grid-ready, a library's "built" event) and two animation frames have passed (the first paint after it).
// Median of RUNS fresh browser contexts (no cache). Usage: npm run bench:grid [-- GRIDLAB_DIR=/tmp/gridlab]
import { createServer, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import type { FieldSchema, Row } from '../../src/genesys/gateway.js';
import { escapeHtml, gridRowsHtml } from '../../src/features/tables/grid-html.js';
import { projectRoot } from '../../src/lib/paths.js';
import { benchRows } from './bench-table.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const GRIDLAB = process.env.GRIDLAB_DIR ?? '';
const CSP =
  "default-src 'self'; script-src 'self'; script-src-attr 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'";

const { fields, rows } = benchRows();
const columns = ['key', ...fields.map(([name]) => name)];
const properties: Record<string, FieldSchema> = Object.fromEntries([
  ['key', { type: 'string' }],
  ...fields.map(([name, type]) => [name, { type }]),
]);
const access = {
  canView: true,
  canEdit: true,
  canAdd: true,
  canDelete: true,
  columns: Object.fromEntries(columns.map((c) => [c, 'write'])),
} as unknown as Parameters<typeof gridRowsHtml>[1]['access'];

/** Our grid: the table page's markup for `n` rows (as table.ejs lays it out), the app's CSS and grid script. */
function ownPage(n: number): string {
  const head = columns
    .map(
      (c) =>
        `<th scope="col" data-column="${c}" data-type="${properties[c]!.type}" data-writable="${c === 'key' ? 0 : 1}"><a href="?sort=${c}">${c}</a></th>`,
    )
    .join('');
  const body = gridRowsHtml(
    rows.slice(0, n).map((r: Row) => ({ ref: String(r.key), values: r, fixed: false })),
    { columns, properties, access, rowUrl: (ref) => `/tables/bench/rows/${encodeURIComponent(ref)}` },
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench Table</title>
<link rel="stylesheet" href="/css/app.css"><script type="module" src="/js/grid/grid.js"></script></head>
<body><main><section class="card"><h1>Bench Table</h1><input type="hidden" name="_csrf" value="x">
<div class="table-wrap"><table class="data grid" data-grid-edit="on" data-table-url="/tables/bench" aria-label="Rows of Bench Table">
<thead><tr><th scope="col"><span class="visually-hidden">Select</span></th>${head}<th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${body}</tbody></table></div></section></main></body></html>`;
}

interface LibSetup {
  name: string;
  /** Files served under /lib/ (path in GRIDLAB_DIR). */
  scripts: string[];
  styles: string[];
  module?: boolean;
  init: string;
}

const COLS = JSON.stringify(columns);
const LIBS: LibSetup[] = [
  {
    name: 'Tabulator 6.5.3',
    scripts: ['tabulator-tables-6.5.3/package/dist/js/tabulator.min.js'],
    styles: ['tabulator-tables-6.5.3/package/dist/css/tabulator.min.css'],
    init: `const t = new Tabulator('#grid', { data: window.BENCH_ROWS, height: '700px',
      columns: ${COLS}.map((c) => ({ title: c, field: c, editor: c === 'key' ? false : 'input' })) });
      t.on('tableBuilt', ready);`,
  },
  {
    name: 'AG Grid Community 36.2.0',
    scripts: ['ag-grid-community-36.2.0/package/dist/ag-grid-community.min.js'],
    styles: [],
    init: `const el = document.getElementById('grid'); el.style.height = '700px';
      agGrid.createGrid(el, { rowData: window.BENCH_ROWS, onFirstDataRendered: ready,
        columnDefs: ${COLS}.map((c) => ({ field: c, editable: c !== 'key' })) });`,
  },
  {
    name: 'RevoGrid 4.28.1',
    scripts: ['revolist-revogrid-4.28.1/package/dist/revo-grid/revo-grid.esm.js'],
    styles: [],
    module: true,
    init: `customElements.whenDefined('revo-grid').then(() => { const g = document.createElement('revo-grid');
      g.style.height = '700px'; g.addEventListener('aftergridrender', ready, { once: true });
      g.columns = ${COLS}.map((c) => ({ prop: c, name: c, readonly: c === 'key' })); g.source = window.BENCH_ROWS;
      document.getElementById('grid').append(g); });`,
  },
];

function libPage(lib: LibSetup): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(lib.name)}</title>
${lib.styles.map((s) => `<link rel="stylesheet" href="/lib/${s}">`).join('')}
${lib.scripts.map((s) => `<script ${lib.module ? 'type="module"' : ''} src="/lib/${s}"></script>`).join('')}
<script src="/bench/data.js"></script><script ${lib.module ? 'type="module"' : 'defer'} src="/bench/init-${LIBS.indexOf(lib)}.js"></script>
</head><body><h1>${escapeHtml(lib.name)}</h1><div id="grid"></div></body></html>`;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css' };

function serve(res: ServerResponse, body: string | Buffer, type: string, sent: Map<string, number>, data = false) {
  const kind = data ? 'data' : type.includes('html') ? 'html' : type.includes('css') ? 'css' : 'js';
  sent.set(kind, (sent.get(kind) ?? 0) + Buffer.byteLength(body));
  sent.set(`${kind}.gz`, (sent.get(`${kind}.gz`) ?? 0) + gzipSync(body).length);
  res.writeHead(200, { 'Content-Type': type, 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' });
  res.end(body);
}

async function main(): Promise<void> {
  const pages = new Map<string, string>([
    ['/own-250', ownPage(250)],
    ['/own-50', ownPage(50)],
    ['/own-5000', ownPage(5000)],
    ...LIBS.map((l, i) => [`/lib-${i}`, libPage(l)] as [string, string]),
  ]);
  const dataJs = `window.BENCH_ROWS = ${JSON.stringify(rows)};`;
  let sent = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x').pathname;
    const file = (root: string, rel: string) => {
      const full = path.resolve(root, `.${rel}`);
      if (!full.startsWith(path.resolve(root)) || !existsSync(full)) return void res.writeHead(404).end();
      serve(res, readFileSync(full), TYPES[path.extname(full)] ?? 'application/octet-stream', sent);
    };
    if (pages.has(url)) return serve(res, pages.get(url)!, 'text/html; charset=utf-8', sent);
    if (url === '/bench/data.js') return serve(res, dataJs, 'text/javascript', sent, true);
    const init = /^\/bench\/init-(\d+)\.js$/.exec(url);
    if (init) {
      const ready = `const ready = () => { document.body.dataset.gridReady = '1'; };`;
      return serve(res, `${ready}\n${LIBS[Number(init[1])]!.init}`, 'text/javascript', sent);
    }
    if (url.startsWith('/lib/') && GRIDLAB) return file(GRIDLAB, url.slice(4));
    return file(path.join(projectRoot, 'public'), url);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });

  async function measure(url: string) {
    const times: number[] = [];
    let violations = 0;
    let weight = new Map<string, number>();
    let error = '';
    for (let i = 0; i < RUNS; i++) {
      sent = new Map();
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      const page = await context.newPage();
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations++;
      });
      try {
        await page.goto(`${base}${url}`, { waitUntil: 'commit' });
        // (A locator, not waitForFunction: that evaluates a string, which the CSP forbids.)
        await page.locator('[data-grid-ready]').first().waitFor({ state: 'attached', timeout: 60_000 });
        times.push(
          await page.evaluate<number>(
            'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))',
          ),
        );
      } catch (err) {
        error = (err as Error).message.split('\n')[0]!;
      }
      weight = sent;
      await context.close();
      if (error) break;
    }
    times.sort((a, b) => a - b);
    return {
      median: times[Math.floor(times.length / 2)],
      violations: violations / Math.max(1, times.length),
      weight,
      error,
    };
  }

  const kb = (n = 0) => `${(n / 1024).toFixed(0)} KB`;
  const results: { name: string; median?: number }[] = [];
  const report = (name: string, r: Awaited<ReturnType<typeof measure>>) => {
    const w = r.weight;
    const sum = (suffix: string) =>
      ['html', 'js', 'css', 'data'].reduce((n, kind) => n + (w.get(`${kind}${suffix}`) ?? 0), 0);
    const [total, gz] = [sum(''), sum('.gz')];
    console.log(
      `${name.padEnd(44)} ${r.error ? `not interactive: ${r.error}` : `interactive ${r.median!.toFixed(0)} ms`}; ` +
        `weight ${kb(total)} (HTML ${kb(w.get('html'))}, JS ${kb(w.get('js'))}, CSS ${kb(w.get('css'))}` +
        `${w.get('data') ? `, rows as JSON ${kb(w.get('data'))}` : ''}; ${kb(gz)} gzipped); ` +
        `CSP violations ${r.violations}`,
    );
    results.push({ name, median: r.error ? undefined : r.median });
  };

  console.log(`Chromium ${browser.version()}; 5,000 rows × 20 columns; median of ${RUNS} fresh contexts at 1366×768`);
  report('this app: one page of 250 rows (the largest)', await measure('/own-250'));
  report('this app: one page of 50 rows (the default)', await measure('/own-50'));
  report('this app: all 5,000 rows in one <table>', await measure('/own-5000'));
  if (GRIDLAB) {
    const found = readdirSync(GRIDLAB);
    for (const [i, lib] of LIBS.entries()) {
      if (!found.includes(lib.scripts[0]!.split('/')[0]!)) continue;
      report(`${lib.name}: all 5,000 rows (virtualised)`, await measure(`/lib-${i}`));
    }
  } else console.log('(GRIDLAB_DIR not set: the libraries were not measured)');
  const ownPageMs = results[0]?.median;
  if (ownPageMs)
    for (const r of results.slice(1))
      if (r.median) console.log(`ratio ${r.name} / this app's 250-row page: ${(r.median / ownPageMs).toFixed(1)}×`);
  await browser.close();
  server.close();
}

await main();
