// `rafcast explain`: one member's three-column illustration (evaluation/explain/run-explain.ts).
import type { Command } from 'commander';
import { loadedFileText } from '../rejected-summary.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { DATA_THROUGH_HELP, givenOptions, parseDataThrough, parseDollarsOption, parseMemoryLimit, parseYearOption, runAction } from '../cli-support.ts';

export interface ExplainOptions {
  member: string;
  data: string;
  asOf: number;
  baseRate: number;
  history?: string;
  knownHistory?: string;
  dataThrough?: string;
  memoryLimit?: string;
  rejected?: string;
}

export function addExplainCommand(program: Command): void {
  program
    .command('explain')
    .description("One member's value of complete documentation: demographics only, plus the HCCs coded, and full coding of every suspect, each with its RAF and payment.")
    .requiredOption('--member <id>', 'the member_id (printed in the illustration, never in progress or errors)')
    .requiredOption('--data <dir>', 'folder with members, enrollment and claims, and pharmacy and labs when the plan has them (.parquet or .csv)')
    .requiredOption('--as-of <year>', 'the as-of year T: payment year T+1 is priced', parseYearOption('--as-of'))
    .option('--history <dir>', 'the complete rafcast history (default <data>/history): its plan')
    .option('--known-history <dir>', 'a rafcast history of T-2..T computed with the same --data-through (computed otherwise: the long step)')
    .option('--data-through <date>', DATA_THROUGH_HELP, parseDataThrough)
    .option('--base-rate <dollars>', 'annual base rate per member (PMPM x 12)', parseDollarsOption('--base-rate'), DEMO_BASE_RATE_ANNUAL)
    .option('--rejected <dir>', "folder for the input files' rejected rows, <table>.rejected.csv (default: none kept; they are counted on the terminal)")
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 3GB; it spills to disk beyond (default: 4GB)', parseMemoryLimit)
    .addHelpText(
      'after',
      `
Three columns for payment year T+1 (V28 alone, T+1's normalisation and MA coding adjustment):
  demographics only             no HCC
  plus HCCs coded               the V28 HCCs coded in T-1 and T as known on the cut-off
  full coding of every suspect  those and every suspect of rafcast suspects (recapture,
                                drop-off, medication, lab, comorbidity)
each with its payment score (RAF), monthly and annual payment, and the suspects listed with
their evidence types. Printed to the terminal; nothing is written but the rejected input rows
when --rejected is given (their counts are printed either way).

Examples:
  rafcast explain --member M000123 --data runs/synthetic --as-of 2025
  rafcast explain --member M000123 --data runs/synthetic --as-of 2026 --known-history runs/known-2026 --data-through 2026-01-01 --base-rate 12000`,
    )
    .action((o: ExplainOptions) => runAction(() => explain(o)));
}

async function explain(o: ExplainOptions): Promise<void> {
  const { runExplain } = await import('../../evaluation/explain/run-explain.ts');
  let stage = '';
  const r = await runExplain(
    {
      member: o.member,
      data: o.data,
      asOf: o.asOf,
      annualBaseRate: o.baseRate,
      ...givenOptions({ history: o.history, knownHistory: o.knownHistory, dataThrough: o.dataThrough, memoryLimit: o.memoryLimit, rejectedDir: o.rejected }),
    },
    (st) => {
      if (st !== stage && st !== 'scoring member-years') process.stderr.write(`${st} ...\n`);
      stage = st;
    },
  );
  for (const l of r.loaded) {
    const kept = l.rejected === 0 ? '' : o.rejected !== undefined ? `; rejected rows: ${l.quarantine}` : '; rejected rows not kept (give --rejected DIR, or check the files with rafcast load)';
    process.stderr.write(`${loadedFileText(l)}${kept}\n`);
  }
  process.stdout.write(r.text);
}
