// The classifier kinds a run can train: the networks (classifier.ts builds them) and boosted trees
// (boosted-trees.ts). Apart from those so the command line can list them in its help without
// loading TensorFlow.js.
export type ModelKind = 'mlp' | 'logistic' | 'gbdt';
export const MODEL_KINDS: readonly ModelKind[] = ['mlp', 'logistic', 'gbdt'];

/**
 * The model `rafcast train` trains without --model, and the first of `rafcast run`'s (its list and
 * report): boosted trees, the best on the quality plans (README, Quality: +0.5 and +0.6 points of
 * precision at 20% over the MLP at as-of 2024 and 2025).
 */
export const DEFAULT_MODEL: ModelKind = 'gbdt';
/** The models `rafcast run` trains without --models: the default first, the networks beside it for comparison. */
export const DEFAULT_MODELS: readonly ModelKind[] = [DEFAULT_MODEL, 'mlp', 'logistic'];

/** How a list of models reads in a bench's or a report's sentence: "gbdt, MLP and logistic". */
export function modelsInWords(models: readonly ModelKind[]): string {
  const word = (m: ModelKind): string => (m === 'mlp' ? 'MLP' : m);
  const w = models.map(word);
  return w.length <= 1 ? (w[0] ?? 'no model') : `${w.slice(0, -1).join(', ')} and ${w[w.length - 1]}`;
}
