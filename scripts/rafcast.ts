#!/usr/bin/env node
// The `rafcast` command line: it only registers the commands, one file each in commands/, and
// parses the arguments. A command's file defines its options (cheap: `rafcast --help` loads no
// DuckDB, TensorFlow.js, BullMQ or Vega) and loads the pipeline it calls inside its action.
// bin/rafcast.js runs the compiled copy of this file (dist/, `npm run build`) or, when that is
// missing or older than the sources, this file through tsx.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { configureProgram, packageVersion } from './cli-support.ts';
import { addAlignCommand } from './commands/align.ts';
import { addAlignBacktestCommand } from './commands/align-backtest.ts';
import { addAuditRiskCommand } from './commands/audit-risk.ts';
import { addBenchmarkCommand } from './commands/benchmark.ts';
import { addCandidatesCommand } from './commands/candidates.ts';
import { addEvaluateCommand } from './commands/evaluate.ts';
import { addExplainCommand } from './commands/explain.ts';
import { addFeaturesCommand } from './commands/features.ts';
import { addGenerateCommand } from './commands/generate.ts';
import { addHistoryCommand } from './commands/history.ts';
import { addImportDesynpufCommand } from './commands/import-desynpuf.ts';
import { addLoadCommand } from './commands/load.ts';
import { addModelsCompareCommand } from './commands/models-compare.ts';
import { addModelsListCommand } from './commands/models-list.ts';
import { addPredictCommand } from './commands/predict.ts';
import { addReportCommand } from './commands/report.ts';
import { addRunCommand } from './commands/run.ts';
import { addScoreCommand } from './commands/score.ts';
import { addServeCommand } from './commands/serve.ts';
import { addStatusCommand } from './commands/status.ts';
import { addSuspectsCommand } from './commands/suspects.ts';
import { addProvidersCommand } from './commands/providers.ts';
import { addTrainCommand } from './commands/train.ts';
import { addUsersCommand } from './commands/users.ts';
import { addWorkerCommand } from './commands/worker.ts';

/** The program with every command, in the order the data travels. */
export function createProgram(): Command {
  const program = configureProgram(new Command())
    .name('rafcast')
    .description('Predict next year\'s CMS-HCC risk scores on January 1 and price the candidate list.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .addHelpText(
      'after',
      `
Exit codes: 0 done; 2 a usage error, a setting out of its range, bad input or a file or folder
that cannot be read or written (error CODE: message, no stack trace); 1 an unexpected error;
130 or 143 stopped by Ctrl-C or SIGTERM (temporary files removed, no output half-written).
Every file rafcast writes is owner-only (0600, folders 0700). Temporary files go to $TMPDIR
(default /tmp), the run folder or beside the output being written, and are removed on every
exit but kill -9.

Examples:
  rafcast run --data runs/default --as-of 2024 --generate 20000
  rafcast score --in data/examples/members.jsonl --out out/scores.jsonl --payment-year 2026
  rafcast score --help`,
    );
  addScoreCommand(program);
  addGenerateCommand(program);
  addLoadCommand(program);
  addHistoryCommand(program);
  const importCommand = program
    .command('import')
    .description('Turn public claims files into the input contract.')
    .addHelpText('after', '\nExample:\n  rafcast import desynpuf --in ../shared/external-data/desynpuf-milwaukee-10k/1-sample-10000 --out runs/desynpuf-1');
  addImportDesynpufCommand(importCommand);
  addFeaturesCommand(program);
  addTrainCommand(program);
  addPredictCommand(program);
  const modelsCommand = program
    .command('models')
    .description('Trained runs: list and compare.')
    .addHelpText('after', '\nExamples:\n  rafcast models list --runs runs/models\n  rafcast models compare runs/models/mlp-2025 runs/models/logistic-2025');
  addModelsListCommand(modelsCommand);
  addModelsCompareCommand(modelsCommand);
  addCandidatesCommand(program);
  addSuspectsCommand(program);
  addProvidersCommand(program);
  addAuditRiskCommand(program);
  addAlignCommand(program);
  addAlignBacktestCommand(program);
  addBenchmarkCommand(program);
  addExplainCommand(program);
  addEvaluateCommand(program);
  addReportCommand(program);
  addRunCommand(program);
  addWorkerCommand(program);
  addStatusCommand(program);
  addServeCommand(program);
  addUsersCommand(program);
  return program;
}

/** Parses `argv` (process.argv's shape) and runs the command it names. */
export async function main(argv: readonly string[]): Promise<void> {
  // Every file and folder rafcast creates is owner-only (0600, 0700): they may hold member ids.
  // Files made by DuckDB (a work database, its spill files) and child processes included.
  process.umask(0o077);
  await createProgram().parseAsync(argv);
}

// Run directly (`node dist/scripts/rafcast.js`, `tsx scripts/rafcast.ts`); bin/rafcast.js and
// tests import it instead.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main(process.argv);
