import { defineConfig } from 'vitest/config';

// Temporal's worker (native bridge, WASM) and vitest's thread pool do not mix: run every
// file in a forked process, one at a time. The engine's unit tests (test/unit/engine) load
// no Temporal, PostgreSQL or HTTP at all, so they share one process: the whole set in seconds.
export default defineConfig({
  test: {
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    projects: [
      { extends: true, test: { name: 'engine', include: ['test/unit/engine/**/*.test.ts'], isolate: false } },
      { extends: true, test: { name: 'system', include: ['test/**/*.test.ts'], exclude: ['test/unit/engine/**', '**/node_modules/**'] } },
    ],
  },
});
