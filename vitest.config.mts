import { defineConfig } from 'vitest/config';

// Temporal's worker (native bridge, WASM) and vitest's thread pool do not mix: run every
// file in a forked process, one at a time.
export default defineConfig({
  test: {
    pool: 'forks',
    fileParallelism: false,
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
