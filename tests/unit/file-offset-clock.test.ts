// A spawned server's time moved by a browser test through a file (never in production: see config.test.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileOffsetClock } from '../../src/lib/clock.js';

describe('fileOffsetClock', () => {
  it('is real time until the file says otherwise, then real time plus its offset', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'dtm-clock-')), 'clock.json');
    const clock = fileOffsetClock(file);
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(1000);
    writeFileSync(file, JSON.stringify({ offsetMs: 86_400_000 }));
    await new Promise((r) => setTimeout(r, 60));
    expect(clock.now() - Date.now()).toBeGreaterThan(86_400_000 - 1000);
    writeFileSync(file, 'not json');
    await new Promise((r) => setTimeout(r, 60));
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(1000);
  });
});
