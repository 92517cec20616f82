// `rafcast predict`: a trained run applied at as-of T, members ranked by probability
// (models/model-run.ts).
import type { Command } from 'commander';
import { DATA_THROUGH_HELP, parseDataThrough, parseYearOption, runAction } from '../cli-support.ts';
import { backtestLines } from '../summary-lines.ts';

export interface PredictOptions {
  run: string;
  asOf: number;
  out: string;
  data?: string;
  history?: string;
  features?: string;
  dataThrough?: string;
}

export function addPredictCommand(program: Command): void {
  program
    .command('predict')
    .description('Apply a trained run at as-of T: each member\'s probability of the top 20% of RAF_T, ranked, with deciles.')
    .requiredOption('--run <dir>', 'a run folder from rafcast train')
    .requiredOption('--as-of <year>', 'the as-of year T', parseYearOption('--as-of'))
    .requiredOption('--out <file>', 'scores: .parquet or .csv (member_id, probability, rank, decile)')
    .option('--data <dir>', 'other data than the run was trained on (a new year, say)')
    .option('--history <dir>', 'its rafcast history output (default <data>/history)')
    .option('--features <file>', 'a feature table from rafcast features for this as-of year (skips building one)')
    .option('--data-through <date>', `${DATA_THROUGH_HELP} (with --features, the table's own)`, parseDataThrough)
    .addHelpText(
      'after',
      `
When RAF_T is known, the model and the naive list (top 20% by RAF_{T-1}) are measured side by
side and saved to <out>.metrics.json. A run trained on other features than this version's is
refused with the difference.

Examples:
  rafcast predict --run runs/models/mlp-2025 --as-of 2025 --out runs/predictions-2025.parquet
  rafcast predict --run runs/models/mlp-2025 --as-of 2026 --data runs/plan-2026 --out p2026.csv
  rafcast predict --run runs/models/mlp-2025 --as-of 2025 --features runs/features-2025.parquet --out p.parquet
  rafcast predict --run runs/models/mlp-2025 --as-of 2025 --data-through 2025-01-15 --out p-jan15.parquet`,
    )
    .action((o: PredictOptions) => runAction(() => predict(o), { out: o.out, outIsFile: true }));
}

async function predict(o: PredictOptions): Promise<void> {
  const [{ predictRun }, { readRunRecord }] = await Promise.all([import('../../models/model-run.ts'), import('../../models/run-registry.ts')]);
  const started = performance.now();
  const s = await predictRun(
    { run: o.run, asOf: o.asOf, out: o.out, data: o.data, history: o.history, features: o.features, ...(o.dataThrough !== undefined ? { dataThrough: o.dataThrough } : {}) },
    (l) => process.stderr.write(`${l}\n`),
  );
  // The run's model names its line of the backtest.
  const record = readRunRecord(o.run);
  process.stdout.write(
    [`${s.members} members scored (backend ${s.backend}); ${((performance.now() - started) / 1000).toFixed(1)} s`, ...backtestLines(s.backtest, record.model), `  ${s.output}`].join('\n') +
      '\n',
  );
}
