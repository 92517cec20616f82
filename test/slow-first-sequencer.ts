// The test files' order: the longest first, then vitest's own order (its cache of durations, else
// file size). With two files at a time (vitest.config.ts), a long file that starts last is the
// suite's tail: on a fresh clone (no cache) the queued flow's fault tests started at 496 s and ended
// at 583 s, while the files' times summed to 807 s (404 s on two workers). Seconds measured by
// .ci/run on a fresh clone on 2026-12-02; a file not listed keeps vitest's order after these.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const SLOW_FILES = [
  'pipelines/run.test.ts', // 102 s
  'pipelines/queued-faults.test.ts', // 87 s
  'pipelines/queued-run.test.ts', // 84 s
  'evaluation/candidates.test.ts', // 75 s
  'models/model-run.test.ts', // 62 s
  'pipelines/coming-year.test.ts', // 42 s
  'evaluation/serve/browser.test.ts', // 38 s
  'evaluation/known-on-cutoff.test.ts', // 38 s
  'evaluation/evaluate-run.test.ts', // 30 s
];

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = SLOW_FILES.findIndex((s) => f.moduleId.endsWith(`/${s}`));
      return i < 0 ? SLOW_FILES.length : i;
    };
    // Array.prototype.sort is stable: the unlisted files keep vitest's order.
    return [...base].sort((a, b) => rank(a) - rank(b));
  }
}
