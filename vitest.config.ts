import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration tests spend much of their time waiting on sockets (the app, the emulator, spawned servers),
    // so two files at once keep this two-core machine busy; the default (cores - 1) ran them one by one.
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'int',
          include: ['tests/int/**/*.test.ts'],
          environment: 'node',
          // Files share a worker's loaded modules (the app, Prisma, the SDK) instead of loading them again for
          // every file: that import took ~2 s of CPU per file. Nothing in src keeps per-test state at module
          // level (only caches), and every test builds its own app, database and emulator.
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
