// Z1: every route declares its access level, and nothing is registered around the RouteTable.
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accessGuards } from '../../src/lib/current-user.js';
import { RouteTable, type Access } from '../../src/lib/route.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function walk(stack: Layer[], out: string[] = []): string[] {
  for (const layer of stack) {
    if (layer.route) for (const m of Object.keys(layer.route.methods)) out.push(`${m} ${layer.route.path}`);
    else if (layer.handle?.stack) walk(layer.handle.stack, out);
  }
  return out;
}

describe('route declarations', () => {
  it('refuses to register a route without an access level', () => {
    const table = new RouteTable(accessGuards);
    expect(() => table.get('/x', undefined as unknown as Access, (_req, res) => res.end())).toThrow(
      /must declare its access/,
    );
    expect(() => table.post('/x', 'everyone' as Access, (_req, res) => res.end())).toThrow(/must declare its access/);
    expect(() => table.get('/x', 'public')).toThrow(/no handler/);
  });

  it('refuses a route registered twice', () => {
    const table = new RouteTable(accessGuards);
    table.get('/x', 'public', (_req, res) => res.end());
    expect(() => table.get('/x', 'admin', (_req, res) => res.end())).toThrow(/registered twice/);
  });

  it('every route in the Express app was registered through a RouteTable', () => {
    const router = (t.app as unknown as { router: { stack: Layer[] } }).router;
    const inExpress = walk(router.stack).sort();
    const declared = t.routes.map((r) => `${r.method} ${r.path}`).sort();
    expect(inExpress).toEqual(declared);
    expect(declared.length).toBeGreaterThanOrEqual(8);
  });

  it('the public routes are exactly the expected allowlist', () => {
    const pub = t.routes
      .filter((r) => r.access === 'public')
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(pub).toEqual(['get /healthz', 'get /login', 'get /setup', 'post /login', 'post /setup'].sort());
  });

  it('express itself is configured with the simple query parser', () => {
    expect(t.app.get('query parser')).toBe('simple');
    expect(typeof express.Router).toBe('function');
  });
});
