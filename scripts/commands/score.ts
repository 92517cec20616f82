// `rafcast score`: members' CMS-HCC raw scores per model, payment score and revenue, file to file
// (pipelines/score-file.ts).
import { DEFAULT_MAX_REJECTED_SHARE } from '../../data/quarantine.ts';
import type { Command } from 'commander';
import { availablePaymentYears, MODEL_VERSIONS, type ModelVersion } from '../../data/reference/cms-hcc-tables.ts';
import { TABLE_FORMATS } from '../../data/table-formats.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { parseDollarsOption, parseIntegerOption, parseModelMap, parseModelOption, parseNumberOption, parseShareOption, parseYearOption, runAction } from '../cli-support.ts';
import { rejectedRowsText } from '../rejected-summary.ts';

export interface ScoreOptions {
  in: string;
  out: string;
  paymentYear: number;
  model?: ModelVersion;
  blend?: Partial<Record<ModelVersion, number>>;
  normalization?: Partial<Record<ModelVersion, number>>;
  codingAdjustment?: number;
  baseRate: number;
  explain?: boolean;
  inFormat?: string;
  outFormat?: string;
  quarantine?: string;
  rejected?: string;
  workers?: number;
  maxRejectedShare: number;
}

export function addScoreCommand(program: Command): void {
  // The manifest's years (a JSON read): the help names them without loading a table.
  const years = MODEL_VERSIONS.map((m) => `${m}: ${availablePaymentYears(m).join(', ')}`).join('; ');
  program
    .command('score')
    .description('Score members with the CMS-HCC model: raw score per model, payment score and revenue.')
    .requiredOption('--in <file>', 'members, one per row: .jsonl, .csv or .parquet')
    .requiredOption('--out <file>', 'scores: .jsonl, .csv or .parquet')
    .requiredOption('--payment-year <year>', `payment year (${years})`, parseYearOption('--payment-year'))
    .option('--model <model>', 'score one model alone (blend forced to 100%): V24 or V28', parseModelOption)
    .option('--blend <weights>', 'blend weights, e.g. V24=0.33,V28=0.67 (default: the payment year\'s)', parseModelMap('--blend'))
    .option('--normalization <factors>', 'normalisation factors, e.g. V28=1.045', parseModelMap('--normalization'))
    .option('--coding-adjustment <share>', 'MA coding pattern adjustment, e.g. 0.059', parseNumberOption('--coding-adjustment'))
    .option('--base-rate <dollars>', 'annual base rate per member (PMPM x 12)', parseDollarsOption('--base-rate'), DEMO_BASE_RATE_ANNUAL)
    .option('--explain', 'write every factor, HCC, interaction and code mapping of each member')
    .option('--in-format <format>', `input format when the extension does not tell (${TABLE_FORMATS.join(', ')})`)
    .option('--out-format <format>', `output format when the extension does not tell (${TABLE_FORMATS.join(', ')})`)
    .option('--quarantine <file>', 'where rejected rows go (default: <out\'s name>.rejected.csv in the --rejected folder)')
    .option('--rejected <dir>', 'folder for the rejected rows (default: the folder of --out); the input\'s folder is only read')
    .option('--workers <n>', 'worker threads for JSONL/CSV/Parquet input (default: one per core for large inputs; 0: none)', parseIntegerOption('--workers', { min: 0 }))
    .option('--max-rejected-share <share>', 'fail when more than this share of rows is rejected', parseShareOption('--max-rejected-share'), DEFAULT_MAX_REJECTED_SHARE)
    .addHelpText(
      'after',
      `
Input fields: id, dx (list, or "|"-separated in CSV), sex (M/F or 1/2), age (on Feb 1 of the
payment year) or birth_date, segment (CNA CND CFA CFD CPA CPD INS NE SNPNE) or the flags it is
derived from (dual_status none/partial/full, institutional, new_enrollee, snp), orec (0-3),
medicaid. A golden-vector "input" object plus "id" is a valid JSONL line.

Examples:
  rafcast score --in data/examples/members.jsonl --out out/scores.jsonl --payment-year 2026
  rafcast score --in members.csv --out scores.parquet --payment-year 2025 --blend V24=0.33,V28=0.67
  rafcast score --in /ro/members.csv --out out/scores.csv --payment-year 2026 --rejected out/rejected
  rafcast score --in members.jsonl --out explained.jsonl --payment-year 2025 --model V28 \\
      --normalization V28=1.045 --explain`,
    )
    .action((o: ScoreOptions) => runAction(() => score(o), { out: o.out, outIsFile: true }));
}

async function score(o: ScoreOptions): Promise<void> {
  const [{ scoreFile }, { progressBar }] = await Promise.all([import('../../pipelines/score-file.ts'), import('../progress.ts')]);
  const bar = progressBar('scoring', 'bytes');
  const started = performance.now();
  const s = await scoreFile(
    {
      input: o.in,
      inputFormat: o.inFormat,
      output: o.out,
      outputFormat: o.outFormat,
      paymentYear: o.paymentYear,
      model: o.model,
      overrides: { blend: o.blend, normalization: o.normalization, codingAdjustment: o.codingAdjustment },
      annualBaseRate: o.baseRate,
      explain: o.explain === true,
      quarantine: o.quarantine,
      rejectedDir: o.rejected,
      maxRejectedShare: o.maxRejectedShare,
      workers: o.workers,
    },
    (done, total) => bar.update(done, total),
  );
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  const blend = Object.entries(s.blend)
    .map(([m, w]) => `${m} ${Math.round((w ?? 0) * 100)}%`)
    .join(' + ');
  process.stdout.write(
    `read ${s.read} = scored ${s.scored} + quarantined ${rejectedRowsText(s.quarantined, s.quarantinedByField)}\n` +
      `payment year ${s.paymentYear}, ${blend}; ${seconds.toFixed(1)} s\n` +
      `scores: ${s.output}\n` +
      (s.quarantined > 0 ? `rejected rows: ${s.quarantine}\n` : ''),
  );
}
