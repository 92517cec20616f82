// A feature constant in the training rows but varying where the model is applied (issue 15's
// DE-SynPUF case: no T-2 year at as-of 2009, every member has one at 2010): found, named, and
// neutralised at apply (constant-features.ts, classifier.ts's standardize).
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { DEFAULT_TRAIN_CONFIG, predictProbabilities, trainClassifier } from './classifier.ts';
import { fitStandardization, type Matrix } from './standardization.ts';
import { constantFeatures, neutralisedFeatures, neutralisedWarning } from './constant-features.ts';
import { createRng } from '../data/random.ts';

const NAMES = ['raf_t1', 'raf_t2', 'missing_t2'];

/** n rows of [raf_t1, raf_t2, missing_t2]: raf_t1 drawn, raf_t2 and missing_t2 as given. */
function rows(n: number, seed: number, t2: (i: number) => number, missing: (i: number) => number): Matrix {
  const rng = createRng(seed);
  const values = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    values[i * 3] = 2 * rng.next();
    values[i * 3 + 1] = t2(i);
    values[i * 3 + 2] = missing(i);
  }
  return { rows: n, cols: 3, values };
}

describe('a feature constant in the training rows', () => {
  it('is flagged by the standardisation fitted on the fit rows, and only it', () => {
    // Rows 0-2 fitted: raf_t2 0, 0, 0 (constant); missing_t2 1, 1, 0 (varies).
    const x: Matrix = { rows: 4, cols: 3, values: Float32Array.from([1, 0, 1, 2, 0, 1, 3, 0, 0, 4, 9, 0]) };
    const s = fitStandardization(x, [0, 1, 2]);
    expect(s.constant).toEqual([false, true, false]);
    expect(constantFeatures(s, NAMES)).toEqual(['raf_t2']);
    // Row 3's raf_t2 (9) was not fitted: still constant.
  });

  it('is neutralised where the model is applied: the scores are those of its training value, and it is named', async () => {
    await initBackend();
    // Training as at DE-SynPUF's as-of 2009: no member has a T-2 year (raf_t2 0, missing_t2 1).
    const train = rows(400, 1, () => 0, () => 1);
    const y = Uint8Array.from({ length: 400 }, (_, i) => (train.values[i * 3]! > 1.6 ? 1 : 0));
    const t = await trainClassifier(train, y, { ...DEFAULT_TRAIN_CONFIG, model: 'mlp', hidden: [8], seed: 3, epochs: 3, batchSize: 64 });
    expect(constantFeatures(t.standardization, NAMES)).toEqual(['raf_t2', 'missing_t2']);
    // Applied as at 2010: every member has a T-2 year, raf_t2 from 0.5 to 2.49, missing_t2 0.
    const applied = rows(50, 2, (i) => 0.5 + i * 0.04, () => 0);
    const asTrained = rows(50, 2, () => 0, () => 1);
    const p = await predictProbabilities(t.model, t.standardization, applied);
    const q = await predictProbabilities(t.model, t.standardization, asTrained);
    expect(Array.from(p)).toEqual(Array.from(q));
    const found = neutralisedFeatures(t.standardization, NAMES, applied);
    expect(found).toEqual([
      { name: 'raf_t2', trainedValue: 0, rowsDiffering: 50, min: 0.5, max: Math.fround(0.5 + 49 * 0.04) },
      { name: 'missing_t2', trainedValue: 1, rowsDiffering: 50, min: 0, max: 0 },
    ]);
    expect(neutralisedWarning(found, 2009, 2010)).toMatch(/^warning: 2 features constant in the training rows but varying at as-of 2010, neutralised .*raf_t2 \(0 for every member at 2009; 50 members differ/);
    // Rows that keep the training value are not reported.
    expect(neutralisedFeatures(t.standardization, NAMES, asTrained)).toEqual([]);
    t.model.dispose();
  }, 60_000);
});
