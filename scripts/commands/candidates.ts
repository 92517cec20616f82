// `rafcast candidates`: the January candidate list at as-of T, for finance and for care managers
// (evaluation/candidates.ts).
import type { Command } from 'commander';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { parseIntegerOption, parseNumberOption, runAction } from '../cli-support.ts';

export interface CandidatesOptions {
  run: string;
  asOf: number;
  top: number;
  out: string;
  baseRate: number;
  data?: string;
  history?: string;
}

export function addCandidatesCommand(program: Command): void {
  program
    .command('candidates')
    .description('The January candidate list at as-of T: for finance (candidates.csv, .parquet) and for care managers (outreach.csv).')
    .requiredOption('--run <dir>', 'a run folder from rafcast train')
    .requiredOption('--as-of <year>', 'the as-of year T', parseIntegerOption('--as-of'))
    .option('--top <share>', 'share of the members on the list', parseNumberOption('--top'), 0.2)
    .requiredOption('--out <dir>', 'folder for candidates.csv, candidates.parquet and outreach.csv')
    .option('--base-rate <dollars>', 'annual base rate per member (PMPM x 12)', parseNumberOption('--base-rate'), DEMO_BASE_RATE_ANNUAL)
    .option('--data <dir>', 'other data than the run was trained on')
    .option('--history <dir>', 'its rafcast history output (default <data>/history)')
    .addHelpText(
      'after',
      `
candidates.csv: member, rank, probability, decile, RAF_{T-2}, RAF_{T-1}, segment, open HCCs and
the dollars they bring if recaptured (their factors through payment year T+1's payment score,
times the base rate). outreach.csv: the same members by those dollars, each with the HCCs to
recapture (model, HCC, description, last coded date and provider) and the member's provider.

Examples:
  rafcast candidates --run runs/models/mlp-2025 --as-of 2025 --out runs/candidates-2025
  rafcast candidates --run runs/models/mlp-2025 --as-of 2025 --top 0.1 --base-rate 12500 --out runs/top10`,
    )
    .action((o: CandidatesOptions) => runAction(() => candidates(o)));
}

async function candidates(o: CandidatesOptions): Promise<void> {
  const { writeCandidates } = await import('../../evaluation/candidates.ts');
  const started = performance.now();
  const s = await writeCandidates(
    { run: o.run, asOf: o.asOf, top: o.top, out: o.out, annualBaseRate: o.baseRate, data: o.data, history: o.history },
    (l) => process.stderr.write(`${l}\n`),
  );
  process.stdout.write(
    [
      `${s.listed} of ${s.members} members on the list (backend ${s.backend}); open HCCs worth $${s.expectedDollars.toLocaleString('en-US', { minimumFractionDigits: 2 })} ` +
        `if recaptured (payment year ${s.paymentYear}${s.factorsYear !== s.paymentYear ? `, priced with ${s.factorsYear}'s factors` : ''}); ${((performance.now() - started) / 1000).toFixed(1)} s`,
      ...s.files.map((f) => `  ${f}`),
    ].join('\n') + '\n',
  );
}
