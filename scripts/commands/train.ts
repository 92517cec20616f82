// `rafcast train`: a classifier trained at as-of T-1 to apply at T, with its backtest
// (models/model-run.ts).
import type { Command } from 'commander';
import { MODEL_KINDS, type ModelKind } from '../../models/model-kinds.ts';
import { parseIntegerOption, parseModelKind, runAction } from '../cli-support.ts';
import { backtestLines, metricsLines } from '../summary-lines.ts';

export interface TrainOptions {
  data: string;
  history?: string;
  asOf: number;
  model: ModelKind;
  seed: number;
  out: string;
}

export function addTrainCommand(program: Command): void {
  program
    .command('train')
    .description('Train a classifier at as-of T-1 (label: top 20% of RAF_{T-1}) to apply at T; backtest it when RAF_T is known.')
    .requiredOption('--data <dir>', 'folder with members, enrollment and claims')
    .option('--history <dir>', 'rafcast history output covering T-3..T-1 (and T for a backtest); default <data>/history')
    .requiredOption('--as-of <year>', 'the as-of year T the model is for', parseIntegerOption('--as-of'))
    .option('--model <kind>', `${MODEL_KINDS.join(' or ')}`, parseModelKind, 'mlp')
    .option('--seed <n>', 'random seed: the same seed gives the same model', parseIntegerOption('--seed'), 1)
    .requiredOption('--out <dir>', 'run folder: model.json, weights.bin, schema.json, standardization.json, metrics.json, run.json')
    .addHelpText(
      'after',
      `
The backend (tfjs-node if installed, else WebAssembly, else CPU) is printed and recorded in run.json.

Examples:
  rafcast history --data runs/synthetic --years 2021-2025 --out runs/synthetic/history
  rafcast train --data runs/synthetic --as-of 2025 --out runs/models/mlp-2025
  rafcast train --data runs/synthetic --as-of 2025 --model logistic --seed 3 --out runs/models/logistic-2025`,
    )
    .action((o: TrainOptions) => runAction(() => train(o)));
}

async function train(o: TrainOptions): Promise<void> {
  const { trainRun } = await import('../../models/model-run.ts');
  const r = await trainRun({ data: o.data, history: o.history, asOf: o.asOf, model: o.model, seed: o.seed, out: o.out }, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(
    [
      `${r.model} (seed ${r.seed}, backend ${r.backend}) trained on ${r.training.labelled} members of as-of ${r.trainedOn}, ` +
        `best epoch ${r.training.bestEpoch} of ${r.training.epochs}, ${r.training.seconds.toFixed(1)} s`,
      ...metricsLines('valid.', r.validation),
      ...backtestLines(r.backtest, r.model),
      `run: ${o.out}`,
    ].join('\n') + '\n',
  );
}
