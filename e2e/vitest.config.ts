import { defineConfig } from 'vitest/config';

// End-to-end tests: the built CLI (`quantdesk serve`) and the built renderer in Debian's Chromium.
// One file at a time: each starts a host and a browser, and the machine is small.
const results = process.env.QUANTDESK_TEST_RESULTS;

export default defineConfig({
  test: {
    ...(results ? { reporters: ['default', 'json'], outputFile: { json: `${results}/e2e.json` } } : {}),
    name: 'e2e',
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
