// `rafcast candidates`: the January candidate list at as-of T, for finance and for care managers
// (evaluation/candidates.ts).
import { Option, type Command } from 'commander';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { DATA_THROUGH_HELP, parseDataThrough, parseDollarsOption, parseShareOption, parseYearOption, runAction } from '../cli-support.ts';
import { dollars } from '../../evaluation/format.ts';
import { RANK_BY, type RankBy } from '../../evaluation/dollars-ranking.ts';
import { FORCE_HELP, claimOutputFolder } from '../../data/output-folder.ts';

export interface CandidatesOptions {
  run: string;
  asOf: number;
  top: number;
  out: string;
  baseRate: number;
  data?: string;
  history?: string;
  dataThrough?: string;
  rankBy: RankBy;
  force?: boolean;
}

export function addCandidatesCommand(program: Command): void {
  program
    .command('candidates')
    .description('The January candidate list at as-of T: for finance (candidates.csv, .parquet) and for care managers (outreach.csv).')
    .requiredOption('--run <dir>', 'a run folder from rafcast train')
    .requiredOption('--as-of <year>', 'the as-of year T', parseYearOption('--as-of'))
    .option('--top <share>', 'share of the members on the list', parseShareOption('--top', true), 0.2)
    .requiredOption('--out <dir>', 'folder for candidates.csv, candidates.parquet and outreach.csv')
    .option('--force', FORCE_HELP)
    .option('--base-rate <dollars>', 'annual base rate per member (PMPM x 12)', parseDollarsOption('--base-rate'), DEMO_BASE_RATE_ANNUAL)
    .option('--data <dir>', 'other data than the run was trained on')
    .option('--history <dir>', 'its rafcast history output (default <data>/history)')
    .option('--data-through <date>', DATA_THROUGH_HELP, parseDataThrough)
    .addOption(
      new Option('--rank-by <order>', "probability: the model's top share (the paper's list); dollars: the members whose early documentation is expected to bring the most")
        .choices([...RANK_BY])
        .default('probability'),
    )
    .addHelpText(
      'after',
      `
candidates.csv: member, rank, probability, decile, RAF_{T-2}, RAF_{T-1}, segment, open HCCs (coded
in T-1 or T-2) and what outreach on them is expected to bring: each HCC's value (the member
re-scored for payment year T+1 with and without it) weighted by the plan's recapture rate,
split into expected_accelerated (paid from January instead of the August lump sum) and
expected_incremental (otherwise never paid); expected_dollars is their sum. outreach.csv: the
same members by expected_dollars, each with the HCCs to recapture (model, HCC, description, last
coded date and provider, recapture rate, expected dollars) and the member's provider.
recapture-rates.csv: every rate used. calibration.csv (when the history holds T+1): expected
against measured dollars by decile of expected dollars. The members' expected dollars come from
the dollar model (evaluation/dollar-model.ts): two regressions fitted at as-of T-2 on what each
member then brought (their August lump sum and their gap above c), from the priced open HCCs and
RAF_{T-1}; with --rank-by dollars they order the list. outreach.csv's reasons column says, in
plain words, the two or three things that put each member on the list.

Examples:
  rafcast candidates --run runs/models/mlp-2025 --as-of 2025 --out runs/candidates-2025
  rafcast candidates --run runs/models/mlp-2025 --as-of 2025 --top 0.1 --base-rate 12500 --out runs/top10
  rafcast candidates --run runs/models/mlp-2025 --as-of 2025 --rank-by dollars --out runs/candidates-2025-dollars
  rafcast candidates --run runs/models/mlp-2026 --as-of 2026 --data-through 2026-01-15 --out runs/candidates-2026-jan15`,
    )
    .action((o: CandidatesOptions) => runAction(() => candidates(o), { out: o.out }));
}

async function candidates(o: CandidatesOptions): Promise<void> {
  await claimOutputFolder(o.out, { option: '--out', command: 'rafcast candidates', writes: ['candidates.csv', 'candidates.parquet', 'outreach.csv', 'members.csv', 'recapture-rates.csv', 'calibration.csv'], force: o.force === true });
  const { writeCandidates } = await import('../../evaluation/candidates.ts');
  const started = performance.now();
  const s = await writeCandidates(
    { run: o.run, asOf: o.asOf, top: o.top, out: o.out, annualBaseRate: o.baseRate, data: o.data, history: o.history, rankBy: o.rankBy, ...(o.dataThrough !== undefined ? { dataThrough: o.dataThrough } : {}) },
    (l) => process.stderr.write(`${l}\n`),
  );
  const cal = s.calibration;
  process.stdout.write(
    [
      `${s.listed} of ${s.members} members on the list by ${s.rankBy} (backend ${s.backend}); outreach on their open HCCs is expected to bring ` +
        `${dollars(s.expectedIncremental)} incremental (otherwise never paid) and to move ${dollars(s.expectedAccelerated)} from the August lump sum to January-June ` +
        `(payment year ${s.paymentYear}${s.factorsYear !== s.paymentYear ? `, priced with ${s.factorsYear}'s factors` : ''}); ${((performance.now() - started) / 1000).toFixed(1)} s`,
      'notFitted' in s.dollarModel
        ? `expected dollars: the open HCCs priced alone (${s.dollarModel.notFitted})`
        : `expected dollars: the dollar model fitted at as-of ${s.dollarModel.fittedAt} on ${s.dollarModel.members} members`,
      'total' in cal ? calibrationLine(cal.total, cal.c) : `backtest of those dollars: not measurable: ${cal.notMeasurable}`,
      ...s.files.map((f) => `  ${f}`),
    ].join('\n') + '\n',
  );
}


/** The summary line of a list's calibration total (evaluation/candidate-calibration.ts); c when known. */
export function calibrationLine(total: { expectedAccelerated: number; measuredAccelerated: number; expectedIncremental: number; measuredIncremental: number }, c?: number): string {
  return (
    `backtest of the candidate list's expected dollars (calibration.csv): accelerated expected ${dollars(total.expectedAccelerated)}, measured ${dollars(total.measuredAccelerated)} ` +
    `(positive August lump sums); incremental expected ${dollars(total.expectedIncremental)}, measured ${dollars(total.measuredIncremental)} ` +
    `(gaps above c${c === undefined ? '' : ` = ${c.toFixed(4)}`}, the ratio of mean RAF over members with both years)`
  );
}
