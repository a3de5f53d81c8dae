// At phone width (390 px) an admin's menu (ten items since change requests, calendar and playbooks) must wrap
// inside the top bar: a menu that may not shrink is as wide as its items, runs off the bar, and the items past
// the edge are white text on the page's light background (found walking the app at 390×844).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/lib/paths.js';

const css = readFileSync(path.join(projectRoot, 'public', 'css', 'app.css'), 'utf8');

describe('the top bar menu at phone width', () => {
  it('may shrink below its items’ width, so it wraps instead of overflowing', () => {
    const flex = [...css.matchAll(/\.mainnav \{([^}]*)\}/g)]
      .map((m) => /(?:^|;|\s)flex:\s*([^;]+);/.exec(m[1]!)?.[1]?.trim())
      .filter((v): v is string => v !== undefined)
      .at(-1);
    expect(flex?.split(/\s+/)[1], `last .mainnav flex: ${flex}`).not.toBe('0');
  });
});
