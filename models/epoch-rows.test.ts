// TrainConfig.epochRows: an epoch passes over the first epochRows rows of its own seeded
// permutation of the fit rows, and over no other row; absent (or at least the fit rows), all.
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { DEFAULT_TRAIN_CONFIG, permutation, predictProbabilities, trainClassifier, type TrainConfig } from './classifier.ts';
import { type Matrix } from './standardization.ts';

/** 1,000 rows of three columns; the label: the first two columns' sum above 1. */
const n = 1000;
const x: Matrix = { rows: n, cols: 3, values: Float32Array.from({ length: 3 * n }, (_, k) => ((k * 7919) % 1009) / 1009) };
const labels = Uint8Array.from({ length: n }, (_, i) => (x.values[3 * i]! + x.values[3 * i + 1]! > 1 ? 1 : 0));
const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, model: 'mlp', seed: 4, epochs: 1, batchSize: 64, hidden: [8] };

async function scores(c: TrainConfig, y: Uint8Array): Promise<{ p: Float32Array; rows: number[] }> {
  const t = await trainClassifier(x, y, c);
  const p = await predictProbabilities(t.model, t.standardization, x);
  t.model.dispose();
  return { p, rows: t.networks[0]!.history.map((h) => h.rows) };
}

describe('rows per epoch', () => {
  it('passes over the epoch\'s own draw of epochRows fit rows and no other', async () => {
    await initBackend();
    // The split and epoch 1's draw, as trainClassifier makes them: 200 validation rows (20% of
    // 1,000) at the end of the seed's permutation, and of the 800 fit rows the first 256 of
    // permutation(800, seed x 1000 + 1).
    const order = permutation(n, config.seed);
    const fit = order.subarray(0, 800);
    const drawn = new Set(Array.from(permutation(800, config.seed * 1000 + 1).subarray(0, 256), (i) => fit[i]!));
    const undrawn = Array.from(fit).filter((i) => !drawn.has(i));
    // Swap the labels of an undrawn positive and an undrawn negative: the standardisation (features
    // only), the class weight (as many positives) and the validation rows stay the same.
    const pos = undrawn.find((i) => labels[i] === 1)!;
    const neg = undrawn.find((i) => labels[i] === 0)!;
    const swapped = Uint8Array.from(labels);
    swapped[pos] = 0;
    swapped[neg] = 1;
    const capped = await scores({ ...config, epochRows: 256 }, labels);
    expect(capped.rows).toEqual([256]);
    expect((await scores({ ...config, epochRows: 256 }, swapped)).p).toEqual(capped.p);
    // Over all the fit rows, the swap is seen.
    const all = await scores(config, labels);
    expect(all.rows).toEqual([800]);
    expect((await scores(config, swapped)).p).not.toEqual(all.p);
  });

  it('passes over all the fit rows when epochRows is at least their number', async () => {
    await initBackend();
    const all = await scores({ ...config, epochs: 2 }, labels);
    expect(all.rows).toEqual([800, 800]);
    expect((await scores({ ...config, epochs: 2, epochRows: 5000 }, labels)).p).toEqual(all.p);
  });
});
