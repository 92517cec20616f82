import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{data,scoring,features,models,evaluation,pipelines,scripts}/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
