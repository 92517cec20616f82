// What a network keeps as it trains, and when it stops (classifier.ts trainNetwork): the early
// stop on the validation loss (TrainConfig.patience, minImprovement), the best epoch's weights, and
// the mean of the last epochs' weights where it validates better (TrainConfig.averageEpochs).
import { tf } from './backend.ts';
import type { TrainConfig } from './train-config.ts';

/** The mean of a network's last epochs' weights, when it is kept in place of its best epoch's (TrainConfig.averageEpochs). */
export interface AveragedEpochs {
  /** Its first and last epochs. */
  from: number;
  to: number;
  validationLoss: number;
}

/** A network's early stop and the weights it keeps, fed each epoch's validation loss. */
export class EarlyStop {
  private best = Infinity;
  /** The epoch of the lowest validation loss (0 before the first). */
  bestEpoch = 0;
  private bestWeights: tf.Tensor[] | undefined;
  // The loss the patience counts from: the last one that improved by minImprovement (without one,
  // the best itself).
  private reference = Infinity;
  private waited = 0;
  private lastEpoch = 0;
  // The last epochs' weights, oldest first, for their mean (the MLP's).
  private readonly tail: tf.Tensor[][] = [];
  private readonly tailSize: number;

  constructor(private readonly config: TrainConfig) {
    this.tailSize = config.model === 'mlp' ? (config.averageEpochs ?? 1) : 1;
  }

  /** After an epoch, with its validation loss and the network as the epoch left it: true to stop. */
  afterEpoch(epoch: number, loss: number, net: tf.LayersModel): boolean {
    this.lastEpoch = epoch;
    // The weights kept are the best epoch's by any margin; only an improvement by minImprovement
    // restarts the patience, so a loss creeping down by less stops the network.
    if (improves(loss, this.best)) {
      this.best = loss;
      this.bestEpoch = epoch;
      this.bestWeights?.forEach((t) => t.dispose());
      this.bestWeights = net.getWeights().map((t) => t.clone());
    }
    if (this.tailSize > 1) {
      this.tail.push(net.getWeights().map((t) => t.clone()));
      if (this.tail.length > this.tailSize) this.tail.shift()!.forEach((t) => t.dispose());
    }
    if (improves(loss, this.reference, this.config.minImprovement)) {
      this.reference = loss;
      this.waited = 0;
      return false;
    }
    return ++this.waited >= this.config.patience;
  }

  /**
   * Once training ends: sets the kept weights on the network, the last epochs' mean if its
   * validation loss (`validationLoss`, of the network as set) is below the best epoch's, else the
   * best epoch's; returns the mean when it is kept.
   */
  async keep(net: tf.LayersModel, validationLoss: () => Promise<number>): Promise<AveragedEpochs | undefined> {
    let averaged: AveragedEpochs | undefined;
    if (this.tail.length > 1) {
      const mean = meanWeights(this.tail);
      net.setWeights(mean);
      const v = await validationLoss();
      if (v < this.best) {
        averaged = { from: this.lastEpoch - this.tail.length + 1, to: this.lastEpoch, validationLoss: v };
        this.bestWeights?.forEach((t) => t.dispose());
        this.bestWeights = mean;
      } else mean.forEach((t) => t.dispose());
      this.tail.forEach((w) => w.forEach((t) => t.dispose()));
      this.tail.length = 0;
    }
    if (this.bestWeights) {
      net.setWeights(this.bestWeights);
      this.bestWeights.forEach((t) => t.dispose());
      this.bestWeights = undefined;
    }
    return averaged;
  }
}

/** The mean of several sets of a network's weights, tensor by tensor. */
export function meanWeights(sets: readonly (readonly tf.Tensor[])[]): tf.Tensor[] {
  return sets[0]!.map((_, k) => tf.tidy(() => tf.addN(sets.map((w) => w[k]!)).div(sets.length)));
}

/**
 * The early stop's test: a validation loss better than `best` by at least the share
 * `minImprovement` of it (TrainConfig.minImprovement, which restarts the patience), or by 1e-5
 * without one (a new best epoch to keep). The first epoch (best Infinity) always is.
 */
export function improves(loss: number, best: number, minImprovement?: number): boolean {
  // best x (1 - share), not best - share x best: Infinity - Infinity is NaN. A loss is never negative.
  return minImprovement === undefined ? loss < best - 1e-5 : loss < best * (1 - minImprovement);
}
