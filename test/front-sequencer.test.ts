// The test files' order (test/front-sequencer.ts): FIRST's files ahead, in FIRST's order, the others
// in vitest's order; and FIRST names files that exist (a renamed file would silently go back to the
// size order, last, and be the suite's tail again).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIRST, frontFirst } from './front-sequencer.ts';

describe('the front sequencer', () => {
  it("puts FIRST's files ahead in FIRST's order and keeps the others' order", () => {
    const vitestOrder = ['/r/a.test.ts', `/r/${FIRST[1]}`, '/r/b.test.ts', `/r/${FIRST[0]}`, '/r/c.test.ts'];
    expect(frontFirst(vitestOrder, (f) => f)).toEqual([`/r/${FIRST[0]}`, `/r/${FIRST[1]}`, '/r/a.test.ts', '/r/b.test.ts', '/r/c.test.ts']);
  });

  it('lists only test files that exist, each once', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    expect(FIRST.filter((f) => !existsSync(`${root}${f}`))).toEqual([]);
    expect(new Set(FIRST).size).toBe(FIRST.length);
  });
});
