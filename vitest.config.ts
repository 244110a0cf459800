import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'dashboard/test/**/*.test.ts'],
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // 2 cores: a few files at once keeps CI short without starving the crash tests' processes.
    maxWorkers: 3,
    minWorkers: 1,
  },
});
