import { defineConfig } from 'vitest/config';
import FrontSequencer from './test/front-sequencer.ts';

export default defineConfig({
  test: {
    include: ['{data,scoring,features,models,evaluation,pipelines,scripts,test}/**/*.test.ts'],
    // Chromium and redis-server found (or installed, as root) before any test starts.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    // Two test files at a time: on this 2-core machine vitest's default (cores - 1) ran them one by
    // one, 810 s for the suite under load; two at a time took 501 s idle (tests 912 s summed):
    // much of a file's time is spent waiting on child processes, Redis and the file system.
    maxWorkers: 2,
    // A few long but small files first (test/front-sequencer.ts), so that none is the suite's tail.
    sequence: { sequencer: FrontSequencer },
  },
});
