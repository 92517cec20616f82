// A trained model as what applies and saves it, whatever it is: a TensorFlow.js network (with the
// standardisation its inputs go through) or boosted trees (on the raw features). A run folder holds
// either in model.json and weights.bin; model.json's format says which.
import { deserializeModel, predictProbabilities, serializeModel } from './classifier.ts';
import { deserializeTrees, serializeTrees, treeProbabilities, TREES_FORMAT, type BoostedTrees } from './boosted-trees.ts';
import type { Matrix, Standardization } from './standardization.ts';
import type { tf } from './backend.ts';

export interface Scorer {
  /** The probabilities of raw feature rows. */
  probabilities(x: Matrix): Promise<Float32Array>;
  /** model.json's text and weights.bin's bytes. */
  files(): Promise<{ modelJson: string; weights: Uint8Array }>;
  dispose(): void;
}

export const networkScorer = (model: tf.LayersModel, s: Standardization): Scorer => ({
  probabilities: (x) => predictProbabilities(model, s, x),
  files: () => serializeModel(model),
  dispose: () => model.dispose(),
});

export const treeScorer = (model: BoostedTrees): Scorer => ({
  probabilities: async (x) => treeProbabilities(model, x),
  files: async () => serializeTrees(model),
  dispose: () => undefined,
});

/** The model a run folder's model.json and weights.bin hold (a network's inputs standardised by `s`). */
export async function readScorer(modelJson: string, weights: Uint8Array, s: Standardization): Promise<Scorer> {
  const format = (JSON.parse(modelJson) as { format?: unknown }).format;
  return format === TREES_FORMAT ? treeScorer(deserializeTrees(modelJson, weights)) : networkScorer(await deserializeModel(modelJson, weights), s);
}
