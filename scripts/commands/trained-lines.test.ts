// What `rafcast train` and `rafcast models compare` say a model kept: a network's weights, or boosted trees' rounds.
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../models/run-registry.ts';
import { epochsCell } from './models-compare.ts';
import { keptText } from './train.ts';

const training = (t: Partial<RunRecord['training']>): RunRecord['training'] => ({ members: 10, labelled: 10, positives: 2, fitRows: 8, validationRows: 2, bestEpoch: 7, epochs: 11, seconds: 1, ...t });

describe('what a trained model kept', () => {
  it('names the trees of the best round for boosted trees, and each network\'s weights otherwise', () => {
    // gbdt: run.json's bestEpoch and epochs repeat the trees' best round and rounds.
    const trees = training({ bestEpoch: 298, epochs: 299, trees: { bestRound: 298, rounds: 299 } });
    expect(keptText(trees)).toBe('kept the trees of the best round, 298 of 299');
    expect(epochsCell(trees)).toBe('round 298 / 299');
    const two = training({ networks: [{ bestEpoch: 7, epochs: 11, seconds: 1 }, { bestEpoch: 10, epochs: 12, averaged: { from: 8, to: 12, validationLoss: 0.3 }, seconds: 1 }] });
    expect(keptText(two)).toBe('2 networks, kept best epoch 7 of 11; the mean of epochs 8-12 of 12 (best 10)');
    expect(epochsCell(two)).toBe('7 / 11');
  });
});
