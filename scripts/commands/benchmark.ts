// `rafcast benchmark`: the ACO REACH benchmark of performance year PY per aligned beneficiary, with
// the risk score growth cap and where documentation effort still pays
// (evaluation/alignment/run-benchmark.ts).
import type { Command } from 'commander';
import type { RunBenchmarkOptions } from '../../evaluation/alignment/run-benchmark.ts';
import { FORCE_HELP, claimOutputFolder } from '../../data/output-folder.ts';
import { givenOptions, parseMemoryLimit, parseYearOption, runAction } from '../cli-support.ts';

/** The library's options (a type import: the command stays light until it runs) and --force. */
export type BenchmarkOptions = RunBenchmarkOptions & { force?: boolean };

export function addBenchmarkCommand(program: Command): void {
  program
    .command('benchmark')
    .description('ACO REACH benchmark for performance year PY: per aligned beneficiary the performance-year and reference-year risk scores, the 3% growth cap, the base rate by alignment type and the dollars; totals by alignment with the dollars lost to the cap; where coding effort still pays.')
    .requiredOption('--data <dir>', 'folder with members, enrollment and claims (and participants, for the alignment when --alignment is not given)')
    .requiredOption('--performance-year <year>', 'the performance year PY', parseYearOption('--performance-year'))
    .requiredOption('--out <dir>', 'folder for beneficiaries.csv, benchmark.csv, effort.csv, benchmark-summary.json and benchmark-summary.txt')
    .option('--rates <file>', 'the rates CSV: level,key,regional_rate,historical_expenditure,trend (default <data>/rates.csv)')
    .option('--alignment <dir>', "rafcast align's --out folder for PY (default: computed into <out>/alignment)")
    .option('--history <dir>', 'the complete rafcast history holding service years PY-1 and the reference year\'s year before (default <data>/history; computed into <out>/history when that has none)')
    .option('--suspects <dir>', "rafcast suspects's --out folder of as-of PY-1: ranks the beneficiaries under the cap by what their suspects would add")
    .option('--force', FORCE_HELP)
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 3GB; it spills to disk beyond (default: 4GB)', parseMemoryLimit)
    .addHelpText(
      'after',
      `
Rules per performance year, with their sources and what could not be verified:
data/reference/alignment/benchmark_by_performance_year.csv and its README.
  score       the history's payment score of service year PY-1 (payment year PY's model tables,
              blend, normalisation and coding adjustment, as history.json records them)
  reference   the payment score of the reference year (2022 for PY 2025-2026)
  cap         claims- and both-aligned: at most cap x the reference score (1.03), at least
              floor x it where CMS's cap is symmetric (0.97); voluntary-aligned: not capped
  base rate   claims: regional_weight x regional_rate + historical_weight x historical
              expenditure x trend (the year's weights: 45/55 for PY 2024-2026); voluntary: the regional rate
  benchmark   base rate x capped score, per beneficiary and by alignment, with the dollars lost
              to the cap (base rate x (score - capped score))
  effort      effort.csv: at_cap (claims-aligned at or above the cap: coding adds nothing),
              under_cap ranked by headroom x base rate (or the suspects' gain up to it),
              voluntary (and no_reference) ranked by their uncapped value
The rates file (annual dollars per beneficiary at a risk score of 1.0): one entity row with
regional_rate and trend (and historical_expenditure when one figure serves all); practice rows
(key: participant TIN) and beneficiary rows (key: member_id) with historical_expenditure only.
A bad row stops the command with the file, the row and the field (exit 2). Member ids are in
the CSV files only, never on the terminal or in the summary.

Examples:
  rafcast benchmark --data runs/reach --performance-year 2026 --rates runs/reach/rates.csv --alignment runs/align-2026 --out runs/benchmark-2026
  rafcast benchmark --data runs/reach --performance-year 2026 --history runs/reach-history --suspects runs/suspects-2025 --out runs/benchmark-2026`,
    )
    .action((o: BenchmarkOptions) => runAction(() => benchmark(o), { out: o.out }));
}

async function benchmark(o: BenchmarkOptions): Promise<void> {
  await claimOutputFolder(o.out, {
    option: '--out',
    command: 'rafcast benchmark',
    writes: ['beneficiaries.csv', 'benchmark.csv', 'effort.csv', 'benchmark-summary.json', 'benchmark-summary.txt', 'alignment', 'history'],
    force: o.force === true,
  });
  const [{ runBenchmark }, { benchmarkSummaryText }] = await Promise.all([import('../../evaluation/alignment/run-benchmark.ts'), import('../../evaluation/alignment/write-benchmark.ts')]);
  const started = performance.now();
  let stage = '';
  const s = await runBenchmark(
    { data: o.data, performanceYear: o.performanceYear, out: o.out, ...givenOptions({ rates: o.rates, alignment: o.alignment, history: o.history, suspects: o.suspects, memoryLimit: o.memoryLimit }) },
    (st) => {
      if (st !== stage) process.stderr.write(`${st} ...\n`);
      stage = st;
    },
  );
  process.stdout.write(`${benchmarkSummaryText(s)}${((performance.now() - started) / 1000).toFixed(1)} s\n${s.files.map((f) => `  ${f}`).join('\n')}\n`);
}

