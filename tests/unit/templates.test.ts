// V4/V5: templates escape everything they print. Unescaped output (<%-) is allowed only for including partials,
// and no route renders with request data as the locals object.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/lib/paths.js';

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(full, ext);
    return full.endsWith(ext) ? [full] : [];
  });
}

describe('templates', () => {
  // The raw outputs allowed besides partials are HTML built by escaping helpers with tests of their own: the grid
  // rows (gridRowsHtml, grid-html.test.ts), times (when → timeElement, reader-time) and word diffs (d.before /
  // d.after from wordDiff, word-diff.test.ts).
  it('use <%- only to include partials and the HTML of escaping helpers', () => {
    for (const file of filesUnder(path.join(projectRoot, 'views'), '.ejs')) {
      const raw = [...readFileSync(file, 'utf8').matchAll(/<%-\s*([^%]*)%>/g)].map((m) => m[1]!.trim());
      for (const expr of raw)
        expect(expr, `${path.relative(projectRoot, file)}: <%- ${expr}`).toMatch(
          /^(include\(|gridRowsHtml$|when\([\w.]+\)$|d\.(before|after)$)/,
        );
    }
  });

  it('contain no inline scripts or inline event handlers (CSP forbids them)', () => {
    for (const file of filesUnder(path.join(projectRoot, 'views'), '.ejs')) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(text, file).not.toMatch(/\son(click|submit|load|change|input|keydown|keyup)=/i);
    }
  });

  it('never compare a role: they ask `may` (permissions/policy.ts viewAnswers); only the user admin pages name roles', () => {
    for (const file of filesUnder(path.join(projectRoot, 'views'), '.ejs').filter(
      (f) => !f.includes(`${path.sep}users${path.sep}`),
    )) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/\.role\s*[!=]=|['"](ADMIN|USER)['"]\s*[!=]=/);
    }
  });

  it('are never rendered with request objects as locals', () => {
    for (const file of filesUnder(path.join(projectRoot, 'src'), '.ts')) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/render\([^)]*req\.(query|body|params)\s*[,)]/);
    }
  });
});
