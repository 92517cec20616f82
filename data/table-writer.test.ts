// decimalText must be String(x) exactly: checked on seeded random whole numbers of 1/10, 1/100
// and 1/1000 across the range of scores and dollars, on values that are not such numbers, and
// at the edges (zero, negatives, no fractional part, leading zeros of the fraction).
import { describe, expect, it } from 'vitest';
import { createRng } from './random.ts';
import { decimalText } from './table-writer.ts';

describe('decimalText', () => {
  it.each([10, 100, 1000] as const)('equals String(x) for whole numbers of 1/%i', (scale) => {
    const rng = createRng(scale);
    for (let t = 0; t < 50000; t++) {
      const k = rng.int(2_000_000_000) - 1_000_000_000;
      const x = (t % 3 === 0 ? k % 100000 : k) / scale;
      expect(decimalText(x, scale), String(k)).toBe(String(x));
    }
  });

  it.each([0, -0, 0.001, 0.01, -0.001, 1.05, 2.927, 27420.57, 2285.05, 100, -7.5, 0.1 + 0.2, 1 / 3, 1e21, 2 ** 40 / 1000, NaN])(
    '%d',
    (x) => {
      for (const scale of [10, 100, 1000] as const) expect(decimalText(x, scale)).toBe(String(x));
    },
  );
});
