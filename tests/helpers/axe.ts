// axe-core (from node_modules, never a CDN) run in the page a browser test has open: fails on serious or
// critical violations and lists them, so any e2e test can end a step with `await expectNoSeriousAxeViolations(page)`.
//
// How axe gets into the page: the app's CSP allows only same-origin script files (`script-src 'self'`, no
// inline script), so `page.addScriptTag({ path })`, which inserts an inline <script> with the file's text, is
// refused by the page (tried: "Executing inline script violates the following Content Security Policy directive
// 'script-src 'self''", and axe stays undefined). The file's source
// is evaluated through `page.evaluate` instead: DevTools-protocol evaluation is not page script and is not
// subject to the page's CSP, so the app keeps its real, strict policy during the test (no `bypassCSP`).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, Result } from 'axe-core';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The impacts that fail a test; moderate and minor ones are left to review. */
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/** One line per offending element: rule, impact, what is wrong, and where (its CSS selector and some markup). */
export function describeViolations(violations: Result[]): string {
  return violations
    .flatMap((v) =>
      v.nodes.map(
        (n) =>
          `  [${v.impact}] ${v.id}: ${v.help}\n    at ${n.target.join(' ')}  ${n.html.slice(0, 160)}\n    ${(
            n.failureSummary ?? ''
          )
            .split('\n')
            .join(' ')
            .slice(0, 300)}`,
      ),
    )
    .join('\n');
}

/** Runs axe on the whole page as it is now; throws listing every serious or critical violation. */
export async function expectNoSeriousAxeViolations(page: Page, context?: string): Promise<void> {
  const loaded = await page.evaluate(() => 'axe' in globalThis);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  // (the tests' TypeScript has no DOM library: the page's globals are typed here by hand)
  const results = await page.evaluate((): Promise<AxeResults> => {
    const page = globalThis as unknown as {
      axe: { run(context: unknown, options: object): Promise<AxeResults> };
      document: unknown;
    };
    return page.axe.run(page.document, { resultTypes: ['violations'] });
  });
  const failing = results.violations.filter((v) => v.impact && FAILING_IMPACTS.has(v.impact));
  if (failing.length) {
    const where = context ? `${context} (${page.url()})` : page.url();
    throw new Error(
      `axe found ${failing.length} serious or critical violation(s) on ${where}:\n${describeViolations(failing)}`,
    );
  }
}
