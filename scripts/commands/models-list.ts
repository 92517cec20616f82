// `rafcast models list`: the trained runs in a folder with their backtest figures
// (models/run-registry.ts: reads run.json files, loads no model).
import type { Command } from 'commander';
import { percent } from '../../evaluation/format.ts';
import type { RunRecord } from '../../models/run-registry.ts';
import { runAction } from '../cli-support.ts';

export interface ModelsListOptions {
  runs: string;
}

const HEADER = ['run'.padEnd(24), 'model'.padEnd(8), 'as-of'.padEnd(6), 'seed'.padEnd(5), 'backend'.padEnd(10), 'prec@20'.padEnd(8), 'naive'.padEnd(8), 'AUC'].join(' ');

function runRow(r: RunRecord): string {
  const b = r.backtest;
  return [
    r.runId.padEnd(24),
    r.model.padEnd(8),
    String(r.asOf).padEnd(6),
    String(r.seed).padEnd(5),
    r.backend.padEnd(10),
    (b ? percent(b.model.precision) : '-').padEnd(8),
    (b ? percent(b.naive.precision) : '-').padEnd(8),
    b ? b.model.auc.toFixed(3) : '-',
  ].join(' ');
}

/** Adds `list` under `rafcast models`. */
export function addModelsListCommand(modelsCommand: Command): void {
  modelsCommand
    .command('list')
    .description('List the runs in a folder, newest first, with their backtest figures.')
    .option('--runs <dir>', 'folder holding run folders', 'runs/models')
    .addHelpText('after', '\nExample:\n  rafcast models list --runs runs/models')
    .action((o: ModelsListOptions) => runAction(() => listModels(o)));
}

async function listModels(o: ModelsListOptions): Promise<void> {
  const { listRuns } = await import('../../models/run-registry.ts');
  const runs = listRuns(o.runs);
  if (runs.length === 0) {
    process.stdout.write(`no runs in ${o.runs}\n`);
    return;
  }
  process.stdout.write(`${HEADER}\n${runs.map(runRow).join('\n')}\n`);
}
