import { defineConfig } from 'vitest/config';

// The integration tests of the gateway, table editing, bulk, undo, backups and restore run a second time against
// the realistic emulator profile (issue 13; tests/helpers/emulator-profile.ts): `npm run test:realistic`.
const REALISTIC_EMULATOR_TESTS = [
  'tests/int/gateway/*.test.ts',
  'tests/int/table-editing.test.ts',
  'tests/int/bulk-report.test.ts',
  'tests/int/typed-values.test.ts',
  'tests/int/row-keys.test.ts',
  'tests/int/compare-by-meaning.test.ts',
  'tests/int/read-own-writes.test.ts',
  'tests/int/stale-row-cache.test.ts',
  'tests/int/audit-and-undo.test.ts',
  'tests/int/backups.test.ts',
  'tests/int/backup-schedule.test.ts',
  'tests/int/backup-seal.test.ts',
  'tests/int/backup-upload.test.ts',
  'tests/int/restore.test.ts',
  'tests/int/restore-jobs.test.ts',
  'tests/int/restore-resume.test.ts',
  'tests/int/restore-strict-genesys.test.ts',
  // Applies and reverts read rows they (or someone) just wrote: under lagging reads a revert must not take
  // its own apply's write for someone else's change.
  'tests/int/request-schedule.test.ts',
];

export default defineConfig({
  test: {
    // Integration tests spend much of their time waiting on sockets (the app, the emulator, spawned servers whose
    // kill -9 tests wait for processes to start and stop), so three files at once keep this two-core machine
    // busy: `npm test` took 296 s with two (issue 15's files included) and 250 s with three.
    maxWorkers: 3,
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
          name: 'int-realistic',
          include: REALISTIC_EMULATOR_TESTS,
          environment: 'node',
          env: { DTM_TEST_EMULATOR_PROFILE: 'realistic' },
          // Calls are paced at the sandbox org's 300 a minute, and a wide table needs 2.5 times the pages under the
          // realistic response cap (200 rows a page instead of 500): a large restore takes ~10 s longer.
          testTimeout: 60_000,
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
