// `rafcast models compare`: trained runs side by side (models/run-registry.ts: reads run.json
// files, loads no model), and, where a run has an evaluation (rafcast evaluate, or a rafcast run
// folder's evaluation/<model>), the dollars of its list by probability and of the list ranked by
// dollars beside the baselines and the references (evaluation.json).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { dollars, percent } from '../../evaluation/format.ts';
import type { Evaluation, ListKind } from '../../evaluation/evaluation-types.ts';
import type { ListMetrics } from '../../models/metrics.ts';
import type { RunRecord } from '../../models/run-registry.ts';
import { runAction } from '../cli-support.ts';
import { ConfigError } from '../../data/errors.ts';

/** Adds `compare` under `rafcast models`. */
export function addModelsCompareCommand(modelsCommand: Command): void {
  modelsCommand
    .command('compare')
    .description('Show runs side by side: settings, inputs, validation and backtest metrics, lift by decile.')
    .argument('<runs...>', 'run folders')
    .option('--evaluations <dirs...>', "each run's rafcast evaluate folder, in the runs' order (default: a rafcast run folder's evaluation/<model>, or evaluation.json in the run folder)")
    .addHelpText(
      'after',
      `
With an evaluation, the dollars of payment year T+1 (accelerated: positive August lump sums moved to
January; incremental: gaps above c; never added) of the model's list by probability, the list
ranked by expected dollars, the naive and analyst's lists, and the references (perfect knowledge,
the ceiling of true dollars), with the dollars list's share of the ceiling's.

Examples:
  rafcast models compare runs/models/mlp-2025 runs/models/logistic-2025
  rafcast models compare runs/default-2024/models/mlp runs/default-2024/models/logistic
  rafcast models compare runs/models/mlp-2024 --evaluations runs/evaluation-2024`,
    )
    .action((dirs: string[], o: { evaluations?: string[] }) => runAction(() => compareModels(dirs, o.evaluations)));
}

/** The evaluation of a run folder: given, a rafcast run folder's evaluation/<model>, or evaluation.json beside run.json; null when none. */
/** A run's training in one cell: the networks' (longest-trained) best epoch and epochs, or the trees' best round and rounds. */
export const epochsCell = (t: RunRecord['training']): string => (t.trees !== undefined ? `round ${t.trees.bestRound} / ${t.trees.rounds}` : `${t.bestEpoch} / ${t.epochs}`);

export function evaluationOf(runDir: string, given?: string): Evaluation | null {
  const candidates = given !== undefined ? [join(given, 'evaluation.json')] : [join(dirname(dirname(runDir)), 'evaluation', basename(runDir), 'evaluation.json'), join(runDir, 'evaluation.json')];
  const file = candidates.find((f) => existsSync(f));
  if (file === undefined) {
    if (given !== undefined) throw new ConfigError(`${given} has no evaluation.json: run rafcast evaluate first`);
    return null;
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Evaluation;
}

/** A list's dollars as "accelerated / incremental", to the dollar; '-' when the evaluation has no such list. */
export function listDollars(e: Evaluation | null, name: ListKind): string {
  const l = e?.lists.find((x) => x.name === name);
  if (l === undefined) return '-';
  const inc = l.revenue.incremental.total;
  return `${dollars(l.revenue.accelerated.total, 0)} / ${inc === null ? 'not measurable' : dollars(inc, 0)}`;
}

async function compareModels(dirs: readonly string[], evaluationDirs?: readonly string[]): Promise<void> {
  const { readRunRecord } = await import('../../models/run-registry.ts');
  if (evaluationDirs !== undefined && evaluationDirs.length !== dirs.length) throw new ConfigError(`--evaluations: give one folder per run (${dirs.length}), found ${evaluationDirs.length}`);
  const runs = dirs.map(readRunRecord);
  const evaluations = new Map(runs.map((r, k) => [r, evaluationOf(dirs[k]!, evaluationDirs?.[k])]));
  // Columns as wide as their widest cell (the dollars rows are wider than the rest), at least 20.
  const cells: [string, string[]][] = [];
  const row = (label: string, f: (r: RunRecord) => string): [string, string[]] => {
    const c: [string, string[]] = [label, runs.map(f)];
    cells.push(c);
    return c;
  };
  const m = (f: (x: ListMetrics) => string) => (r: RunRecord) => (r.backtest ? f(r.backtest.model) : '-');
  const lines = [
    row('run', (r) => r.runId),
    row('model', (r) => r.model),
    row('as-of (trained on)', (r) => `${r.asOf} (${r.trainedOn})`),
    row('seed', (r) => String(r.seed)),
    row('backend', (r) => r.backend),
    row('schema', (r) => r.schema.hash.slice(0, 12)),
    row('input fingerprint', (r) => r.fingerprint.combined.slice(0, 12)),
    row('best epoch / epochs', (r) => epochsCell(r.training)),
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
  if ([...evaluations.values()].some((e) => e !== null)) {
    const e = (r: RunRecord) => evaluations.get(r) ?? null;
    lines.push(
      row('$ acc / inc: model', (r) => listDollars(e(r), 'model')),
      row('$ acc / inc: dollars', (r) => listDollars(e(r), 'dollars')),
      row('$ acc / inc: naive', (r) => listDollars(e(r), 'naive')),
      row('$ acc / inc: analyst', (r) => listDollars(e(r), 'analyst')),
      row('$ acc / inc: perfect', (r) => listDollars(e(r), 'perfect')),
      row('$ acc / inc: ceiling', (r) => listDollars(e(r), 'ceiling')),
      row('dollars: % of ceiling', (r) => {
        const c = e(r)?.lists.find((l) => l.name === 'dollars')?.captured?.ceiling;
        return c === undefined ? '-' : `${c.accelerated === null ? 'n/a' : percent(c.accelerated)} / ${c.incremental === null ? 'n/a' : percent(c.incremental)}`;
      }),
    );
  }
  const width = Math.max(20, ...cells.flatMap(([, c]) => c.map((x) => x.length + 1)));
  const text = cells.map(([label, c]) => `${label.padEnd(22)} ${c.map((x) => x.padEnd(width)).join(' ')}`.trimEnd());
  if (new Set(runs.map((r) => r.fingerprint.combined)).size > 1) text.push('note: the runs were trained on different inputs');
  process.stdout.write(`${text.join('\n')}\n`);
}
