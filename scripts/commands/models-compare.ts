// `rafcast models compare`: trained runs side by side (models/run-registry.ts: reads run.json
// files, loads no model).
import type { Command } from 'commander';
import { percent } from '../../evaluation/format.ts';
import type { ListMetrics } from '../../models/metrics.ts';
import type { RunRecord } from '../../models/run-registry.ts';
import { runAction } from '../cli-support.ts';

/** Adds `compare` under `rafcast models`. */
export function addModelsCompareCommand(modelsCommand: Command): void {
  modelsCommand
    .command('compare')
    .description('Show runs side by side: settings, inputs, validation and backtest metrics, lift by decile.')
    .argument('<runs...>', 'run folders')
    .addHelpText('after', '\nExample:\n  rafcast models compare runs/models/mlp-2025 runs/models/logistic-2025')
    .action((dirs: string[]) => runAction(() => compareModels(dirs)));
}

async function compareModels(dirs: readonly string[]): Promise<void> {
  const { readRunRecord } = await import('../../models/run-registry.ts');
  const runs = dirs.map(readRunRecord);
  const row = (label: string, f: (r: RunRecord) => string): string => `${label.padEnd(22)} ${runs.map((r) => f(r).padEnd(20)).join(' ')}`;
  const m = (f: (x: ListMetrics) => string) => (r: RunRecord) => (r.backtest ? f(r.backtest.model) : '-');
  const lines = [
    row('run', (r) => r.runId),
    row('model', (r) => r.model),
    row('as-of (trained on)', (r) => `${r.asOf} (${r.trainedOn})`),
    row('seed', (r) => String(r.seed)),
    row('backend', (r) => r.backend),
    row('schema', (r) => r.schema.hash.slice(0, 12)),
    row('input fingerprint', (r) => r.fingerprint.combined.slice(0, 12)),
    row('best epoch / epochs', (r) => `${r.training.bestEpoch} / ${r.training.epochs}`),
    row('validation prec@20', (r) => percent(r.validation.precision)),
    row('validation AUC', (r) => r.validation.auc.toFixed(3)),
    row('backtest prec@20', m((x) => percent(x.precision))),
    row('backtest recall@20', m((x) => percent(x.recall))),
    row('backtest F1@20', m((x) => percent(x.f1))),
    row('backtest AUC', m((x) => x.auc.toFixed(3))),
    row('naive prec@20', (r) => (r.backtest ? percent(r.backtest.naive.precision) : '-')),
    row('naive AUC', (r) => (r.backtest ? r.backtest.naive.auc.toFixed(3) : '-')),
    ...Array.from({ length: 10 }, (_, d) => row(`lift decile ${d + 1}`, m((x) => x.deciles[d]!.lift.toFixed(2)))),
  ];
  if (new Set(runs.map((r) => r.fingerprint.combined)).size > 1) lines.push('note: the runs were trained on different inputs');
  process.stdout.write(`${lines.join('\n')}\n`);
}
