// The test files' order: FIRST, then vitest's own (its cache of durations, else file size, largest
// first). Two files run at a time (vitest.config.ts); a long file that starts last is the suite's
// tail. On a fresh clone (no cache) the queued flow's fault tests, a short file, came last: they
// started at 555 s and the suite ended at 655 s, while its files' times summed to 923 s (462 s on
// two workers). Measured by .ci/run on a fresh clone on 2026-12-02. Putting every long file first
// was tried and was slower (640 s against 586 s): the long files each run child processes on both
// cores, and paired they slowed each other; so only the long files that are short in bytes, which
// the size order puts last, go first, beside the largest files.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const FIRST = [
  'pipelines/queued-faults.test.ts', // 97 s, started at 555 s
  'evaluation/known-on-cutoff.test.ts', // 42 s, started at 536 s
];

/** The files in `order` with FIRST's (in FIRST's order) ahead of the others, which keep theirs. */
export function frontFirst<T>(order: readonly T[], moduleId: (f: T) => string): T[] {
  const rank = (f: T): number => {
    const i = FIRST.findIndex((s) => moduleId(f).endsWith(`/${s}`));
    return i < 0 ? FIRST.length : i;
  };
  // Array.prototype.sort is stable: the other files keep vitest's order.
  return [...order].sort((a, b) => rank(a) - rank(b));
}

export default class FrontSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return frontFirst(await super.sort(files), (f) => f.moduleId);
  }
}
