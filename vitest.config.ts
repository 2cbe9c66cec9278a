import { defineConfig } from 'vitest/config';

// CI sets QUANTDESK_TEST_RESULTS to a folder: each run also writes a JSON report there, which .ci/run
// sums into one plain "N passed, N failed" closing line.
const results = process.env.QUANTDESK_TEST_RESULTS;

export default defineConfig({
  test: {
    ...(results ? { reporters: ['default', 'json'], outputFile: { json: `${results}/unit.json` } } : {}),
    projects: [
      {
        test: {
          name: 'core',
          environment: 'node',
          include: ['core/**/*.test.ts', 'scripts/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'electron',
          environment: 'node',
          include: ['electron/**/*.test.ts'],
          testTimeout: 120_000,
        },
      },
      {
        esbuild: { jsx: 'automatic' },
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['renderer/**/*.test.{ts,tsx}'],
        },
      },
    ],
  },
});
