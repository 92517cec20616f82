import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{data,scoring,features,models,evaluation,pipelines,scripts,test}/**/*.test.ts'],
    // Chromium and redis-server found (or installed, as root) before any test starts.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
  },
});
