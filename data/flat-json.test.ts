// parseFlatJsonObject must give what JSON.parse gives whenever it gives anything. Checked on
// seeded random lines: well-formed flat objects and the same lines with characters inserted,
// deleted or replaced by JSON's troublemakers (escapes, control characters, nesting, odd
// numbers, duplicate and "__proto__" keys).
import { describe, expect, it } from 'vitest';
import { parseFlatJsonObject } from './flat-json.ts';
import { createRng } from './random.ts';

const rng = createRng(4242);
const KEYS = ['id', 'dx', 'sex', 'age', '1', 'a b', 'é', ''];
const STRINGS = ['M', 'E11.9', '', ' x ', 'é', '中', 'I50.22'];
const NUMBERS = ['0', '-0', '72', '1.5', '1e3', '-2E-2', '12345678901234567890'];
// What the fast path leaves to JSON.parse: escapes, nesting, other lists, odd numbers, __proto__.
const TROUBLE = ['"a\\"b"', '"tab\\t"', '"\\u00e9"', '{"a":1}', '[1]', '[["x"]]', '[null]', '01', '1.', '.5', '+1', '1e', '-', 'nul', 'True'];

function value(flat: boolean): string {
  const r = rng.next();
  if (!flat && r < 0.15) return rng.pick(TROUBLE);
  if (r < 0.4) return `"${rng.pick(STRINGS)}"`;
  if (r < 0.6) return rng.pick(NUMBERS);
  if (r < 0.7) return rng.pick(['true', 'false', 'null']);
  return `[${Array.from({ length: rng.int(4) }, () => `"${rng.pick(STRINGS)}"`).join(rng.pick([',', ', ', ' ,']))}]`;
}

/** A line of an object; `flat` lines hold nothing the fast path leaves to JSON.parse. */
function line(flat: boolean): string {
  const keys = flat ? KEYS : [...KEYS, '__proto__'];
  const parts = Array.from({ length: rng.int(6) }, () => `"${rng.pick(keys)}"${rng.pick([':', ' : '])}${value(flat)}`);
  return `${rng.pick(['', ' '])}{${parts.join(rng.pick([',', ', ']))}}${rng.pick(['', ' ', '\r'])}`;
}

function mutate(s: string): string {
  const k = rng.int(s.length + 1);
  const ch = rng.pick(['"', '\\', '\n', '\u0001', ',', ':', '{', '}', '[', ']', ' ', 'x', '0', '.']);
  const r = rng.next();
  if (r < 0.4) return s.slice(0, k) + ch + s.slice(k);
  if (r < 0.7) return s.slice(0, k) + s.slice(k + 1);
  return s.slice(0, k) + ch + s.slice(k + 1);
}

function jsonParse(s: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(s) };
  } catch {
    return { ok: false };
  }
}

describe('parseFlatJsonObject', () => {
  it('equals JSON.parse on every line it accepts', () => {
    let accepted = 0;
    for (let t = 0; t < 20000; t++) {
      const s = t % 2 === 0 ? line(false) : mutate(line(false));
      const fast = parseFlatJsonObject(s);
      if (fast === undefined) continue;
      accepted++;
      const slow = jsonParse(s);
      expect(slow.ok, s).toBe(true);
      expect(fast, s).toStrictEqual(slow.ok ? slow.value : undefined);
    }
    expect(accepted).toBeGreaterThan(3000);
  });

  it('accepts every flat line, so the fast path carries the common shape', () => {
    for (let t = 0; t < 5000; t++) {
      const s = line(true);
      expect(parseFlatJsonObject(s), s).toStrictEqual(JSON.parse(s));
    }
  });

  it('reads a bench-shaped line', () => {
    const s = '{"id":"M1","sex":"F","age":72,"segment":"CNA","orec":"0","medicaid":false,"dx":["E11.9","I50.22"]}';
    expect(parseFlatJsonObject(s)).toStrictEqual(JSON.parse(s));
  });
});
