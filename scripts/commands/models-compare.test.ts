// `rafcast models compare`'s dollars rows: where a run's evaluation is found, and a list's dollars as printed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/temp-dir.ts';
import { evaluationOf, listDollars } from './models-compare.ts';

const evaluation = (inc: number | null) => ({
  lists: [
    { name: 'model', revenue: { accelerated: { total: 224144.22 }, incremental: { total: inc } } },
    { name: 'dollars', revenue: { accelerated: { total: 330284.46 }, incremental: { total: inc === null ? null : 1286030.6 } } },
  ],
});

describe('rafcast models compare: dollars', () => {
  it("finds a rafcast run folder's evaluation of the model, or one given; none is not an error", () => {
    // <run>/models/logistic has its evaluation at <run>/evaluation/logistic/evaluation.json.
    const run = tempDir('run');
    mkdirSync(join(run, 'models', 'logistic'), { recursive: true });
    mkdirSync(join(run, 'evaluation', 'logistic'), { recursive: true });
    writeFileSync(join(run, 'evaluation', 'logistic', 'evaluation.json'), JSON.stringify(evaluation(1307754.23)));
    expect(evaluationOf(join(run, 'models', 'logistic'))?.lists[0]?.name).toBe('model');
    expect(evaluationOf(join(run, 'models', 'mlp'))).toBeNull();
    expect(() => evaluationOf(join(run, 'models', 'mlp'), join(run, 'nowhere'))).toThrow(/has no evaluation.json/);
  });

  it('prints accelerated / incremental to the dollar, "not measurable" without the next year, "-" without the list', () => {
    const e = evaluation(1307754.23) as unknown as Parameters<typeof listDollars>[0];
    // $224,144.22 -> $224,144; $1,307,754.23 -> $1,307,754.
    expect(listDollars(e, 'model')).toBe('$224,144 / $1,307,754');
    // $330,284.46 -> $330,284; $1,286,030.60 -> $1,286,031.
    expect(listDollars(e, 'dollars')).toBe('$330,284 / $1,286,031');
    expect(listDollars(evaluation(null) as unknown as Parameters<typeof listDollars>[0], 'model')).toBe('$224,144 / not measurable');
    expect(listDollars(e, 'ceiling')).toBe('-');
    expect(listDollars(null, 'model')).toBe('-');
  });
});
