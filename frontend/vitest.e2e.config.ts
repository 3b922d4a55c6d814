import { defineConfig } from 'vitest/config';

// End-to-end tests: a real Sala backend (built from ../backend) and Debian's Chromium driven by
// playwright-core. One file whose steps run in order; see README.md.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 300_000,
    sequence: { concurrent: false },
    bail: 1,
  },
});
