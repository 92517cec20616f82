// The classifier kinds a run can train: the networks (classifier.ts builds them) and boosted trees
// (boosted-trees.ts). Apart from those so the command line can list them in its help without
// loading TensorFlow.js.
export type ModelKind = 'mlp' | 'logistic' | 'gbdt';
export const MODEL_KINDS: readonly ModelKind[] = ['mlp', 'logistic', 'gbdt'];
