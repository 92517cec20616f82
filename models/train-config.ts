// A model's training settings (models/classifier.ts trains with them), apart from TensorFlow.js so
// that what reads them (the flow's job count, the run records) does not load it.
import type { TreeConfig } from './boosted-trees.ts';
import type { ModelKind } from './model-kinds.ts';

export interface TrainConfig {
  model: ModelKind;
  seed: number;
  /** Most passes over the fit rows (early stopping usually ends sooner). */
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Epochs without a better validation loss before stopping. */
  patience: number;
  /**
   * What restarts the patience: a validation loss below the last one that did by at least this
   * share of it (absent: any new best by 1e-5, the rule before). The weights kept are still the
   * best epoch's by any margin, so a loss creeping down by less stops the network at its best.
   */
  minImprovement?: number;
  /**
   * At the stop, the mean of the last this many epochs' weights is validated and kept in place of
   * the best epoch's if its loss is lower (absent or 1: the best epoch's). The MLP's only (the
   * logistic model keeps its best epoch's, as before).
   */
  averageEpochs?: number;
  /** Share of the training rows held out for early stopping. */
  validationShare: number;
  /** Hidden layer widths of the MLP. */
  hidden: number[];
  /** L2 penalty on the weights. */
  l2: number;
  /**
   * Share of each hidden layer's units dropped at random in every training batch (0: none). The
   * masks come from our seeded generator, so a seed gives the same weights; the saved model has no
   * dropout (it is used whole, as dropout intends).
   */
  dropout: number;
  /**
   * Networks whose probabilities are averaged (an ensemble over seeds in one model file), each
   * trained alone from its own initial weights, batches and dropout masks, with its own early stop
   * (classifier.ts trainNetwork): one after another in a process, or each in a job of its own in a
   * run's flow, to the same weights. The MLP's only: the logistic model is one.
   */
  members: number;
  /**
   * Piecewise-linear encoding of the numeric columns (Gorishniy et al., 2022, "On Embeddings for
   * Numerical Features in Tabular Deep Learning"): a column with more than two values over the fit
   * rows also enters as one input per quantile bin of it (at most this many bins), each 0 below
   * its bin, 1 above it, linear inside. 0: off. The MLP's only (the logistic model stays linear).
   */
  encodeBins?: number;
  /**
   * Most fit rows one epoch passes over, a fresh seeded draw of them each epoch (absent: all). A
   * plan of a million members is then validated, and stopped early, after as many rows seen as a
   * plan of a quarter of that size, instead of after full passes ten times longer.
   */
  epochRows?: number;
  /** The boosted trees' settings: the gbdt model's only (it uses validationShare of the above, none of the networks'). */
  trees?: TreeConfig;
}

export const DEFAULT_TRAIN_CONFIG: Omit<TrainConfig, 'model' | 'seed'> = {
  epochs: 40,
  batchSize: 1024,
  learningRate: 0.002,
  patience: 4,
  validationShare: 0.2,
  hidden: [64, 32],
  l2: 0,
  dropout: 0.2,
  // Two networks fed the numeric columns and their 8-bin encoding gain +0.6 and +0.7 points of
  // precision at 20% over one network of the raw columns on the 100,000-member quality plans
  // (README, Quality). An epoch over all 800,000 fit rows of a 1,000,000-member plan took minutes
  // (two networks: over 10 minutes to the early stop); over 262,144 rows an epoch, at the same
  // precision, the whole fit takes a few minutes. Trained apart, not side by side with one early
  // stop: the same precision within the seeds' spread (README), and a run trains them in two jobs.
  members: 2,
  encodeBins: 8,
  epochRows: 262_144,
  // The validation loss moves by a median 0.14-0.18% from one epoch to the next once past the
  // first epochs (100,000- and 1,000,000-member plans), so a new best by less than 0.1% is within
  // that noise. With any new best restarting the patience, a network of the 1,000,000-member
  // scaling plan crept down by such steps and ran all 40 epochs (313 s, the best at 38); with 0.1%
  // it stops at 13, keeping epoch 10 (README, Quality).
  minImprovement: 1e-3,
  // The mean of the last 5 epochs' weights (the patience's 4 and the one before them), kept where
  // it validates better than the best epoch's (26 of the 36 networks of the 100,000-member quality
  // plans): +0.04 and +0.06 points of precision at 20% at as-of 2024 and 2025 over the 18 models,
  // inside the seeds' noise, and each plan's spread over model seeds 1-3 at most 0.26 points (0.40
  // without it); no more epochs. The last 3 or 8 epochs: -0.01/+0.02 and -0.01/+0.01 (README, Quality).
  averageEpochs: 5,
};

// The settings of the XGBoost anchor the models are held to (README, Quality), its early stop's
// patience included. Each tree grows on at most 262,144 fit rows, as an MLP epoch passes over
// (epochRows). The patience restarts only on a validation loss 0.1% below the last that did, as
// the networks' (minImprovement): on the 1,000,000-member scaling plan the loss crept down by
// about 0.0001 every 25 rounds past round 300, and the trees ran 637 rounds (a fit of 621.5 s) for
// 72.03% precision at 20%; with the rule, 299 rounds (185.9 s) for 71.96%. On the 100,000-member
// quality plans they run 137-228 rounds, the same trees in 12 of the 18 models (README, Quality).
export const DEFAULT_TREE_CONFIG: TreeConfig = {
  rounds: 1000,
  learningRate: 0.05,
  depth: 6,
  lambda: 1,
  minChildWeight: 1,
  subsample: 0.8,
  rowsPerTree: 262_144,
  colsample: 0.8,
  bins: 255,
  patience: 50,
  minImprovement: 1e-3,
};

/** A model's settings: the defaults, then the overrides given (the trees' merged setting by setting); the trees' are the gbdt model's only. */
export function trainConfigOf(model: ModelKind, seed: number, overrides: Partial<Omit<TrainConfig, 'model' | 'seed'>> = {}): TrainConfig {
  const { trees, ...rest } = overrides;
  return { ...DEFAULT_TRAIN_CONFIG, ...rest, ...(model === 'gbdt' ? { trees: { ...DEFAULT_TREE_CONFIG, ...trees } } : {}), model, seed };
}

/** The settings a run records: boosted trees use none of the networks' (their split's validation share and their own). */
export const recordedConfig = (c: TrainConfig): TrainConfig | Pick<TrainConfig, 'model' | 'seed' | 'validationShare' | 'trees'> =>
  c.model === 'gbdt' ? { validationShare: c.validationShare, trees: c.trees, model: c.model, seed: c.seed } : c;

/** The networks a model averages: the MLP's ensemble; the logistic model's would all reach the same optimum; boosted trees have none. */
export const networksOf = (c: Pick<TrainConfig, 'model' | 'members'>): number => (c.model === 'mlp' ? Math.max(1, c.members) : c.model === 'gbdt' ? 0 : 1);

