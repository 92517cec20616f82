// The sequencer's list names files that exist: a renamed or removed slow file would silently fall
// back to vitest's order and could become the suite's tail again.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SLOW_FILES } from './slow-first-sequencer.ts';

describe('the slow-first sequencer', () => {
  it('lists only test files that exist, each once', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    expect(SLOW_FILES.filter((f) => !existsSync(`${root}${f}`))).toEqual([]);
    expect(new Set(SLOW_FILES).size).toBe(SLOW_FILES.length);
  });
});
