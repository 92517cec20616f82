// ByteBuilder must write exactly what String(x) and UTF-8 encoding write: checked on seeded
// random whole numbers of 1, 1/10, 1/100 and 1/1000, on values that are not such numbers, at the
// edges (zero, minus zero, negatives, leading zeros of the fraction), and on non-ASCII text.
import { describe, expect, it } from 'vitest';
import { ByteBuilder } from './byte-builder.ts';
import { createRng } from './random.ts';

const utf8 = (b: ByteBuilder): string => Buffer.from(b.bytes()).toString('utf8');

describe('ByteBuilder', () => {
  it.each([1, 10, 100, 1000] as const)('number(x, %i) writes String(x)', (scale) => {
    const rng = createRng(scale);
    const b = new ByteBuilder(16);
    const want: string[] = [];
    for (let t = 0; t < 50000; t++) {
      const k = rng.int(2_000_000_000) - 1_000_000_000;
      const x = (t % 3 === 0 ? k % 100000 : k) / scale;
      b.number(x, scale).char(44);
      want.push(String(x));
    }
    expect(utf8(b)).toBe(`${want.join(',')},`);
  });

  it.each([0, -0, 0.001, 0.01, 0.05, -0.001, 1.05, 2.927, 27420.57, 2285.05, 100, -7.5, 0.1 + 0.2, 1 / 3, 1e21, 2 ** 40 / 1000, NaN, 123456789012.345])(
    '%d at every scale',
    (x) => {
      for (const scale of [1, 10, 100, 1000] as const) expect(utf8(new ByteBuilder(1).number(x, scale))).toBe(String(x));
    },
  );

  it('writes text as UTF-8, ASCII or not, growing as it goes', () => {
    const parts = ['id', 'é—中', 'plain', '😀 emoji', '"quoted"', ''];
    const b = new ByteBuilder(2);
    for (const p of parts) b.text(p).char(124);
    expect(utf8(b)).toBe(`${parts.join('|')}|`);
  });
});
