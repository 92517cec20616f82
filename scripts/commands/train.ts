// `rafcast train`: a classifier trained at as-of T-1 to apply at T, with its backtest
// (models/train-run.ts).
import type { Command } from 'commander';
import { DEFAULT_MODEL, MODEL_KINDS, type ModelKind } from '../../models/model-kinds.ts';
import { DATA_THROUGH_HELP, parseDataThrough, parseModelKind, parseSeedOption, parseYearOption, runAction } from '../cli-support.ts';
import { backtestLines, metricsLines } from '../summary-lines.ts';
import { FORCE_HELP, claimOutputFolder } from '../../data/output-folder.ts';
import type { RunRecord } from '../../models/run-registry.ts';

export interface TrainOptions {
  data: string;
  history?: string;
  asOf: number;
  model: ModelKind;
  seed: number;
  out: string;
  dataThrough?: string;
  force?: boolean;
}

export function addTrainCommand(program: Command): void {
  program
    .command('train')
    .description('Train a classifier at as-of T-1 (label: top 20% of RAF_{T-1}) to apply at T; backtest it when RAF_T is known.')
    .requiredOption('--data <dir>', 'folder with members, enrollment and claims')
    .option('--history <dir>', 'rafcast history output covering T-3..T-1 (and T for a backtest); default <data>/history')
    .requiredOption('--as-of <year>', 'the as-of year T the model is for', parseYearOption('--as-of'))
    .option('--model <kind>', `one of ${MODEL_KINDS.join(', ')}`, parseModelKind, DEFAULT_MODEL)
    .option('--seed <n>', 'random seed: the same seed gives the same model', parseSeedOption('--seed'), 1)
    .requiredOption('--out <dir>', 'run folder: model.json, weights.bin, schema.json, standardization.json, metrics.json, run.json')
    .option('--force', FORCE_HELP)
    .option('--data-through <date>', `${DATA_THROUGH_HELP}; the training features are cut one year earlier`, parseDataThrough)
    .addHelpText(
      'after',
      `
Models: mlp (two networks averaged), logistic (one linear network), gbdt (gradient-boosted trees,
XGBoost's method, in JavaScript). The backend (tfjs-node if installed, else WebAssembly, else CPU)
is printed and recorded in run.json; the trees do not use it.

With --data-through C (default January 1 of T) the model sees what a plan knows on C: it is trained
on the features of T-1 cut at C minus one year (as incomplete as those it meets at T), with its
label RAF_{T-1} from the history as known on C; the backtest's label RAF_T comes from the complete
history. The cut-offs are recorded in run.json (dataThrough).

Examples:
  rafcast history --data runs/synthetic --years 2021-2025 --out runs/synthetic/history
  rafcast train --data runs/synthetic --as-of 2025 --out runs/models/mlp-2025
  rafcast train --data runs/synthetic --as-of 2025 --model logistic --seed 3 --out runs/models/logistic-2025
  rafcast train --data runs/synthetic --as-of 2025 --model gbdt --out runs/models/gbdt-2025
  rafcast train --data runs/synthetic --as-of 2025 --data-through 2025-01-15 --out runs/models/mlp-2025-jan15`,
    )
    .action((o: TrainOptions) => runAction(() => train(o), { out: o.out }));
}

/** The weights a network kept: its best epoch's, or the mean of its last epochs' (TrainConfig.averageEpochs). */
const keptWeights = (n: { bestEpoch: number; averaged?: { from: number; to: number }; epochs: number }): string =>
  n.averaged !== undefined ? `the mean of epochs ${n.averaged.from}-${n.averaged.to} of ${n.epochs} (best ${n.bestEpoch})` : `best epoch ${n.bestEpoch} of ${n.epochs}`;

/** What a trained model kept, in train's summary line: each network's weights, or the trees' rounds. */
export function keptText(t: RunRecord['training']): string {
  if (t.trees !== undefined) return `kept the trees of the best round, ${t.trees.bestRound} of ${t.trees.rounds}`;
  // A run this command trains records each network (networks is absent only in runs saved before).
  const networks = t.networks ?? [{ bestEpoch: t.bestEpoch, epochs: t.epochs }];
  return `${networks.length > 1 ? `${networks.length} networks, ` : ''}kept ${networks.map(keptWeights).join('; ')}`;
}

async function train(o: TrainOptions): Promise<void> {
  await claimOutputFolder(o.out, { option: '--out', command: 'rafcast train', writes: ['model.json', 'weights.bin', 'schema.json', 'standardization.json', 'metrics.json', 'run.json'], ownedIf: ['run.json'], force: o.force === true });
  const { trainRun } = await import('../../models/train-run.ts');
  const r = await trainRun(
    { data: o.data, history: o.history, asOf: o.asOf, model: o.model, seed: o.seed, out: o.out, ...(o.dataThrough !== undefined ? { dataThrough: o.dataThrough } : {}) },
    (line) => process.stderr.write(`${line}\n`),
  );
  process.stdout.write(
    [
      `${r.model} (seed ${r.seed}, backend ${r.backend}) trained on ${r.training.labelled} members of as-of ${r.trainedOn}, ${keptText(r.training)}` +
        `, ${r.training.seconds.toFixed(1)} s`,
      ...(r.dataThrough !== undefined
        ? [`data through ${r.dataThrough.features} at ${r.asOf}; trained on features through ${r.dataThrough.trainingFeatures}, label RAF_${r.trainedOn} as known on ${r.dataThrough.trainingLabel}`]
        : []),
      ...metricsLines('valid.', r.validation),
      ...backtestLines(r.backtest, r.model),
      `run: ${o.out}`,
    ].join('\n') + '\n',
  );
}
