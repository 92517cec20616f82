// `rafcast history`: the risk score history per member and service year
// (scoring/history/compute-history.ts).
import { DEFAULT_MAX_REJECTED_SHARE } from '../../data/quarantine.ts';
import type { Command } from 'commander';
import type { ModelVersion } from '../../data/reference/cms-hcc-tables.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { parseDataThrough, parseDollarsOption, parseMemoryLimit, parseModelMap, parseModelOption, parseNumberOption, parseShareOption, parseYearOption, parseYearRange, runAction } from '../cli-support.ts';
import { FORCE_HELP, claimOutputFolder } from '../../data/output-folder.ts';

export interface HistoryOptions {
  data: string;
  years: [number, number];
  out: string;
  baseRate: number;
  model?: ModelVersion;
  blend?: Partial<Record<ModelVersion, number>>;
  normalization?: Partial<Record<ModelVersion, number>>;
  codingAdjustment?: number;
  tablesYear?: number;
  strictEligibility?: boolean;
  maxRejectedShare: number;
  memoryLimit?: string;
  dataThrough?: string;
  force?: boolean;
}


export function addHistoryCommand(program: Command): void {
  program
    .command('history')
    .description('Risk score history per member and service year: RAF_y, RAF_init_y, payment scores, August lump sums, HCCs.')
    .requiredOption('--data <dir>', 'folder with members, enrollment and claims (.parquet or .csv), as rafcast generate writes')
    .requiredOption('--years <first-last>', 'service years, e.g. 2021-2025 (each pays in the next year)', parseYearRange)
    .requiredOption('--out <dir>', 'folder for raf_history.parquet, raf_hcc.parquet and history.json')
    .option('--force', FORCE_HELP)
    .option('--base-rate <dollars>', 'annual base rate per member (PMPM x 12)', parseDollarsOption('--base-rate'), DEMO_BASE_RATE_ANNUAL)
    .option('--model <model>', 'pay on one model alone (blend forced to 100%): V24 or V28', parseModelOption)
    .option('--blend <weights>', 'blend weights for every payment year, e.g. V24=0.33,V28=0.67', parseModelMap('--blend'))
    .option('--normalization <factors>', 'normalisation factors for every payment year, e.g. V28=1.045', parseModelMap('--normalization'))
    .option('--coding-adjustment <share>', 'MA coding pattern adjustment, e.g. 0.059', parseNumberOption('--coding-adjustment'))
    .option('--tables-year <year>', 'score every service year with this payment year\'s tables and factors (for old data such as DE-SynPUF)', parseYearOption('--tables-year'))
    .option('--strict-eligibility', 'stop when a service year has no bundled CMS eligible CPT/HCPCS list (default: use the nearest year\'s)')
    .option('--max-rejected-share <share>', 'fail when more than this share of a file\'s rows is rejected', parseShareOption('--max-rejected-share'), DEFAULT_MAX_REJECTED_SHARE)
    .option('--data-through <date>', 'the history as known on this date (YYYY-MM-DD): only claims received by then (received_date; without one, thru_date)', parseDataThrough)
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 3GB; it spills to disk beyond (default: 4GB)', parseMemoryLimit)
    .addHelpText(
      'after',
      `
For every member enrolled in a service year y (and alive at its start): RAF_y from dates of
service in calendar year y, RAF_init_y from July 1 of y-1 to June 30 of y, raw scores under V24
and V28, payment scores for payment year y+1, the August lump sum, and per HCC the first and last
date of service and the provider. Only risk-adjustment-eligible claims count. Every choice is in
scoring/README.md; what each year was scored with is in history.json.

--data-through DATE computes the history as a plan knew it on DATE: a claim counts only when it
was received by then (its received_date; a claim without one counts as received on its
thru_date). Diagnoses not yet received are counted apart in history.json. Without it, every
claim counts (complete data, as for a backtest's labels and dollars). Either way each window
honours CMS's submission deadline of its run (data/reference/submission-deadlines): the July-June
window counts a claim received by the initial deadline of payment year y+1, the calendar-year
window one received by the final deadline.

Examples:
  rafcast history --data runs/synthetic --years 2021-2025 --out runs/history
  rafcast history --data runs/synthetic --years 2021-2025 --out runs/history-jan1 --data-through 2026-01-01
  rafcast history --data runs/synthetic --years 2024-2025 --out runs/history-v28 --model V28 --base-rate 12000
  rafcast history --data runs/desynpuf --years 2008-2010 --out runs/desynpuf-history --tables-year 2025`,
    )
    .action((o: HistoryOptions) => runAction(() => history(o), { out: o.out }));
}

async function history(o: HistoryOptions): Promise<void> {
  await claimOutputFolder(o.out, { option: '--out', command: 'rafcast history', writes: ['raf_history.parquet', 'raf_hcc.parquet', 'history.json'], ownedIf: ['history.json'], force: o.force === true });
  const [{ computeHistory }, { progressBar }] = await Promise.all([import('../../scoring/history/compute-history.ts'), import('../progress.ts')]);
  const started = performance.now();
  const bar = progressBar('scoring', 'member-years');
  let stage = '';
  const s = await computeHistory(
    {
      data: o.data,
      firstYear: o.years[0],
      lastYear: o.years[1],
      out: o.out,
      annualBaseRate: o.baseRate,
      model: o.model,
      overrides: { blend: o.blend, normalization: o.normalization, codingAdjustment: o.codingAdjustment },
      tablesYear: o.tablesYear,
      procedureListPolicy: o.strictEligibility === true ? 'strict' : 'nearest',
      maxRejectedShare: o.maxRejectedShare,
      memoryLimit: o.memoryLimit,
      dataThrough: o.dataThrough,
    },
    (st, done, total) => {
      if (st === 'scoring member-years') bar.update(done, total);
      else if (st !== stage) process.stderr.write(`${st} ...\n`);
      stage = st;
    },
  );
  bar.stop();
  const d = s.diagnoses;
  const lines = s.loaded.map(
    (l) => `${l.table}: read ${l.read} = accepted ${l.accepted} + rejected ${l.rejected}${l.rejected > 0 ? ` (${l.quarantine})` : ''}`,
  );
  for (const p of s.years) {
    const notes: string[] = [];
    for (const [m, y] of Object.entries(p.tablesYear)) if (y !== p.paymentYear) notes.push(`${m} tables of ${y}`);
    if (p.procedureListYear !== p.serviceYear) notes.push(`CPT/HCPCS list of ${p.procedureListYear}`);
    const dl = s.deadlines.find((x) => x.serviceYear === p.serviceYear);
    if (dl !== undefined && dl.initial === null) notes.push(`no CMS submission deadlines (payment year ${p.paymentYear} is not in data/reference/submission-deadlines)`);
    if (notes.length > 0) lines.push(`service year ${p.serviceYear} (payment year ${p.paymentYear}) used ${notes.join(', ')}`);
  }
  lines.push(
    ...(s.dataThrough === null ? [] : [`data through ${s.dataThrough}: ${d.notYetReceived} diagnoses in range not yet received, in no window`]),
    `diagnoses in range ${d.inRange} = ${d.notYetReceived > 0 ? `not yet received ${d.notYetReceived} + ` : ''}eligible ${d.eligible} + ineligible ${d.ineligible} + excluded ${d.excluded}` +
      (d.excluded > 0 ? ` (${d.exclusions.filter((e) => e.diagnoses > 0).map((e) => `${e.rule} ${e.diagnoses}`).join(', ')})` : ''),
    `eligible, calendar-year windows: attributed ${d.midYear.attributed} + outside the years ${d.midYear.outsideYears} + received after the final deadline ${d.midYear.afterDeadline} + member not enrolled ${d.midYear.notEnrolled}`,
    `eligible, July-June windows: attributed ${d.initial.attributed} + outside the years ${d.initial.outsideYears} + received after the initial deadline ${d.initial.afterDeadline} + member not enrolled ${d.initial.notEnrolled}`,
    `${s.members} members, ${s.memberYears} member-years, ${s.hccRows} HCC rows` +
      `${s.rejected > 0 ? `; ${s.rejected} member-years not scored (raf_history.rejected.csv)` : ''}; ${((performance.now() - started) / 1000).toFixed(1)} s`,
    ...s.files.map((f) => `  ${f}`),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}
