// `rafcast suspects`: the suspects of as-of year T, one row per member, HCC and evidence
// (evaluation/suspects/run-suspects.ts).
import { DEFAULT_MAX_REJECTED_SHARE } from '../../data/quarantine.ts';
import type { Command } from 'commander';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { DATA_THROUGH_HELP, givenOptions, parseDataThrough, parseDollarsOption, parseMemoryLimit, parseShareOption, parseYearOption, rejectedFileNames, runAction } from '../cli-support.ts';
import { loadedFileText } from '../rejected-summary.ts';
import { FORCE_HELP, claimOutputFolder } from '../../data/output-folder.ts';

export interface SuspectsOptions {
  data: string;
  asOf: number;
  out: string;
  baseRate: number;
  history?: string;
  knownHistory?: string;
  dataThrough?: string;
  rejected?: string;
  maxRejectedShare: number;
  memoryLimit?: string;
  force?: boolean;
}

export function addSuspectsCommand(program: Command): void {
  program
    .command('suspects')
    .description('Suspects at as-of T: HCCs to recapture, and HCCs that fills, lab results or coded pairs imply, each priced and (in a backtest) confirmed.')
    .requiredOption('--data <dir>', 'folder with members, enrollment and claims, and pharmacy and labs when the plan has them (.parquet or .csv)')
    .requiredOption('--as-of <year>', 'the as-of year T', parseYearOption('--as-of'))
    .requiredOption('--out <dir>', 'folder for suspects.csv, suspects-summary.json and suspects-summary.txt')
    .option('--force', FORCE_HELP)
    .option('--history <dir>', 'the complete rafcast history (default <data>/history): its plan, and T for the backtest')
    .option('--known-history <dir>', 'a rafcast history of T-2..T computed with the same --data-through (computed otherwise)')
    .option('--data-through <date>', `${DATA_THROUGH_HELP}; fills and lab results likewise (without a received_date, their fill or result date)`, parseDataThrough)
    .option('--rejected <dir>', 'folder for each input file\'s rejected rows, <table>.rejected.csv (default: the --out folder); the data folder is only read')
    .option('--max-rejected-share <share>', 'fail when more than this share of a file\'s rows is rejected', parseShareOption('--max-rejected-share'), DEFAULT_MAX_REJECTED_SHARE)
    .option('--base-rate <dollars>', 'annual base rate per member (PMPM x 12)', parseDollarsOption('--base-rate'), DEMO_BASE_RATE_ANNUAL)
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 3GB; it spills to disk beyond (default: 4GB)', parseMemoryLimit)
    .addHelpText(
      'after',
      `
suspects.csv, one row per member, V28 HCC and evidence type:
  recapture    coded in T-1 and not yet in T       drop_off    coded in T-2, not in T-1 or T
  medication   a fill of a drug class that implies the HCC (pharmacy: atc_code)
  lab          lab results that imply it (labs: eGFR twice 90 days apart, HbA1c, BMI)
  comorbidity  two coded HCCs that imply it (diabetes with CKD: 37)
with the evidence (rule, what, first and last date, count, provider NPI), the member's payment
score for T+1 without and with the HCC and the difference in dollars a year (the engine, so
hierarchies and interactions count), and, when the complete history holds T, whether the HCC
(or one above it) was coded in T. Medication, lab and comorbidity suspects are HCCs never coded
in T-2..T. Fills and results count from January 1 of T-1 to the cut-off, when received by then.
The rules and their sources: data/reference/suspects/README.md. A missing pharmacy or labs file
leaves that evidence type out, and the summary says so. The pharmacy and labs files (and the
members file they are checked against) are checked as rafcast load checks them: a bad row goes to
<table>.rejected.csv (file, row, field, reason) in the --rejected folder, the others are used,
and the summary gives read = accepted + rejected per file. suspects-summary.txt/json: counts,
dollars and confirmation rate by evidence type and rule (no member id).

Examples:
  rafcast suspects --data runs/synthetic --as-of 2025 --out runs/suspects-2025
  rafcast suspects --data runs/synthetic --as-of 2024 --history runs/synthetic/history --out runs/suspects-2024-backtest
  rafcast suspects --data runs/synthetic --as-of 2026 --data-through 2026-03-31 --base-rate 12000 --out runs/suspects-2026-q1`,
    )
    .action((o: SuspectsOptions) => runAction(() => suspects(o), { out: o.out }));
}

async function suspects(o: SuspectsOptions): Promise<void> {
  const rejectedFiles = o.rejected === undefined ? rejectedFileNames(['members', 'enrollment', 'claims', 'pharmacy', 'labs']) : [];
  await claimOutputFolder(o.out, { option: '--out', command: 'rafcast suspects', writes: ['suspects.csv', 'suspects-summary.json', 'suspects-summary.txt', ...rejectedFiles], force: o.force === true });
  const [{ runSuspects }, { summaryText }, { progressBar }] = await Promise.all([
    import('../../evaluation/suspects/run-suspects.ts'),
    import('../../evaluation/suspects/summary-text.ts'),
    import('../progress.ts'),
  ]);
  const started = performance.now();
  const bars = new Map<string, ReturnType<typeof progressBar>>();
  let stage = '';
  const s = await runSuspects(
    {
      data: o.data,
      asOf: o.asOf,
      out: o.out,
      annualBaseRate: o.baseRate,
      maxRejectedShare: o.maxRejectedShare,
      ...givenOptions({ history: o.history, knownHistory: o.knownHistory, dataThrough: o.dataThrough, rejectedDir: o.rejected, memoryLimit: o.memoryLimit }),
    },
    (st, done, total) => {
      if (st === 'scoring member-years' || st === 'pricing suspects') {
        let bar = bars.get(st);
        if (bar === undefined) bars.set(st, (bar = progressBar(st, st === 'pricing suspects' ? 'members' : 'member-years')));
        bar.update(done, total);
      } else if (st !== stage) process.stderr.write(`${st} ...\n`);
      stage = st;
    },
  );
  for (const b of bars.values()) b.stop();
  for (const l of s.loaded) {
    process.stdout.write(`${loadedFileText(l)}${l.rejected > 0 ? `; rejected rows: ${l.quarantine}` : ''}\n`);
  }
  process.stdout.write(`${summaryText(s)}${((performance.now() - started) / 1000).toFixed(1)} s\n${s.files.map((f) => `  ${f}`).join('\n')}\n`);
}
