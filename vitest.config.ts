import { defineConfig } from 'vitest/config';

// Test files share one process (no isolation): importing transformers.js and onnxruntime once
// instead of once per file saves about a third of the suite's time. Tests put back what they
// change (process.env, output streams); a file that mocks modules runs isolated.
const isolated = ['test/internal-error.test.ts'];

export default defineConfig({
  test: {
    // onnxruntime-node and spawned CLI runs are happier in forked processes than in worker threads.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: isolated, isolate: false } },
      { extends: true, test: { name: 'isolated', include: isolated } },
    ],
  },
});
