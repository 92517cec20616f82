// `rafcast align-backtest`: the backtest of rafcast align's projection (issue 19): the projection
// for PY+1 made on the data known on a cut-off, against PY+1's alignment from the complete data
// (evaluation/alignment/run-backtest.ts).
import type { Command } from 'commander';
import { FORCE_HELP, claimOutputFolder } from '../../data/output-folder.ts';
import { parseDataThrough, parseMemoryLimit, parseYearOption, runAction } from '../cli-support.ts';

export interface AlignBacktestOptions {
  data: string;
  performanceYear: number;
  dataThrough?: string;
  out: string;
  memoryLimit?: string;
  force?: boolean;
}

const REJECTED = ['members', 'enrollment', 'claims', 'providers', 'participants', 'voluntary_alignment'].map((t) => `${t}.rejected.csv`);

export function addAlignBacktestCommand(program: Command): void {
  program
    .command('align-backtest')
    .description("Backtest of rafcast align's projection: the projection for PY+1 made on the data known on a cut-off (default January 1 of PY), against the alignment of PY+1 the complete data gives; how many on track did align, how many at risk aligned away.")
    .requiredOption('--data <dir>', "the data folder rafcast align reads, reaching the end of PY (enrollment of PY, claims through June of PY)")
    .requiredOption('--performance-year <year>', 'PY: the projection backtested is the one made for PY+1', parseYearOption('--performance-year'))
    .option('--data-through <date>', 'what the projection knew: claims received (received_date, else thru_date), designations signed and deaths by this date, YYYY-MM-DD (default January 1 of PY)', parseDataThrough)
    .requiredOption('--out <dir>', 'folder for backtest-members.csv, backtest.csv, backtest-summary.json and backtest-summary.txt')
    .option('--force', FORCE_HELP)
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 3GB; it spills to disk beyond (default: 4GB)', parseMemoryLimit)
    .addHelpText(
      'after',
      `
The projection is rafcast align's for PY (aligned_now, on_track, at_risk, not_aligned,
ineligible), made on what was known on the cut-off: claims received by then, designations signed
by then, deaths by then, the participant list as it stood (an end date after the cut-off not
known); enrollment as given (the rules read PY-1's). The outcome is PY+1's alignment from every
file whole, under PY+1's rules: aligned (claims, voluntary, both), not aligned (elsewhere or no
PQEM service) or ineligible (died before PY+1, not enrolled in PY).
backtest.csv: per projection category, members by outcome and by alignment. backtest-members.csv:
one row per member. Member ids are in that file and the *.rejected.csv files only.
Every column: evaluation/alignment/README.md.

Examples:
  rafcast align-backtest --data runs/synthetic --performance-year 2025 --out runs/align-backtest-2025
  rafcast align-backtest --data runs/synthetic --performance-year 2025 --data-through 2024-10-01 --out runs/align-backtest-2025-oct`,
    )
    .action((o: AlignBacktestOptions) => runAction(() => alignBacktest(o), { out: o.out }));
}

async function alignBacktest(o: AlignBacktestOptions): Promise<void> {
  await claimOutputFolder(o.out, {
    option: '--out',
    command: 'rafcast align-backtest',
    writes: ['backtest-members.csv', 'backtest.csv', 'backtest-summary.json', 'backtest-summary.txt', ...REJECTED],
    force: o.force === true,
  });
  const [{ runBacktest }, { backtestSummaryText }] = await Promise.all([import('../../evaluation/alignment/run-backtest.ts'), import('../../evaluation/alignment/write-backtest.ts')]);
  const started = performance.now();
  const s = await runBacktest(
    { data: o.data, performanceYear: o.performanceYear, out: o.out, ...(o.dataThrough !== undefined ? { dataThrough: o.dataThrough } : {}), ...(o.memoryLimit !== undefined ? { memoryLimit: o.memoryLimit } : {}) },
    (stage) => process.stderr.write(`${stage} ...\n`),
  );
  process.stdout.write(`${backtestSummaryText(s)}${((performance.now() - started) / 1000).toFixed(1)} s\n${s.files.map((f) => `  ${f}`).join('\n')}\n`);
}
