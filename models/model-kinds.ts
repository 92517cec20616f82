// The classifier kinds a run can train (classifier.ts builds them). Apart from classifier.ts so the
// command line can list them in its help without loading TensorFlow.js.
export type ModelKind = 'mlp' | 'logistic';
export const MODEL_KINDS: readonly ModelKind[] = ['mlp', 'logistic'];
