#!/usr/bin/env node
// The `rafcast` command line: thin, it parses arguments and calls a pipeline.
import { Command } from 'commander';
import { availablePaymentYears, MODEL_VERSIONS } from '../data/reference/cms-hcc-tables.ts';
import { TABLE_FORMATS } from '../data/record-readers.ts';
import { join } from 'node:path';
import { generatePopulation } from '../pipelines/generate-population.ts';
import { loadContract } from '../pipelines/load-contract.ts';
import { scoreFile } from '../pipelines/score-file.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import {
  parseIntegerOption,
  parseModelMap,
  parseModelOption,
  parseNumberOption,
  parseGeneratedFormat,
  parseOutputTableFormat,
  parseYearRange,
  progressBar,
  runAction,
} from './cli-support.ts';

const program = new Command();
program
  .name('rafcast')
  .description('Predict next year\'s CMS-HCC risk scores on January 1 and price the candidate list.')
  .showHelpAfterError();

const years = MODEL_VERSIONS.map((m) => `${m}: ${availablePaymentYears(m).join(', ')}`).join('; ');

program
  .command('score')
  .description('Score members with the CMS-HCC model: raw score per model, payment score and revenue.')
  .requiredOption('--in <file>', 'members, one per row: .jsonl, .csv or .parquet')
  .requiredOption('--out <file>', 'scores: .jsonl, .csv or .parquet')
  .requiredOption('--payment-year <year>', `payment year (${years})`, parseIntegerOption('--payment-year'))
  .option('--model <model>', 'score one model alone (blend forced to 100%): V24 or V28', parseModelOption)
  .option('--blend <weights>', 'blend weights, e.g. V24=0.33,V28=0.67 (default: the payment year\'s)', parseModelMap('--blend'))
  .option('--normalization <factors>', 'normalisation factors, e.g. V28=1.045', parseModelMap('--normalization'))
  .option('--coding-adjustment <share>', 'MA coding pattern adjustment, e.g. 0.059', parseNumberOption('--coding-adjustment'))
  .option('--base-rate <dollars>', 'annual base rate per member (PMPM x 12)', parseNumberOption('--base-rate'), DEMO_BASE_RATE_ANNUAL)
  .option('--explain', 'write every factor, HCC, interaction and code mapping of each member')
  .option('--in-format <format>', `input format when the extension does not tell (${TABLE_FORMATS.join(', ')})`)
  .option('--out-format <format>', `output format when the extension does not tell (${TABLE_FORMATS.join(', ')})`)
  .option('--quarantine <file>', 'where rejected rows go (default: <out>.rejected.csv)')
  .option('--workers <n>', 'worker threads for JSONL/CSV/Parquet input (default: one per core for large inputs; 0: none)', parseIntegerOption('--workers'))
  .option('--max-rejected-share <share>', 'fail when more than this share of rows is rejected', parseNumberOption('--max-rejected-share'), 0.5)
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
  rafcast score --in members.jsonl --out explained.jsonl --payment-year 2025 --model V28 \\
      --normalization V28=1.045 --explain`,
  )
  .action((o) =>
    runAction(async () => {
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
      const why = Object.entries(s.quarantinedByField)
        .map(([f, n]) => `${f}: ${n}`)
        .join(', ');
      process.stdout.write(
        `read ${s.read} = scored ${s.scored} + quarantined ${s.quarantined}${why ? ` (${why})` : ''}\n` +
          `payment year ${s.paymentYear}, ${blend}; ${seconds.toFixed(1)} s\n` +
          `scores: ${s.output}\n` +
          (s.quarantined > 0 ? `rejected rows: ${s.quarantine}\n` : ''),
      );
    }),
  );

program
  .command('generate')
  .description('Write a synthetic Medicare Advantage plan: members, enrollment and claims, with truth/ and calibration.json.')
  .requiredOption('--members <n>', 'members in the first year', parseIntegerOption('--members'))
  .requiredOption('--years <first-last>', 'service years, e.g. 2021-2025', parseYearRange)
  .option('--seed <n>', 'random seed: the same seed writes the same bytes', parseIntegerOption('--seed'), 1)
  .requiredOption('--out <dir>', 'folder for members, enrollment, claims, truth/ and calibration.json')
  .option('--format <format>', 'parquet or csv', parseGeneratedFormat, 'parquet')
  .addHelpText(
    'after',
    `
The files follow the input contract (data/README.md). truth/ holds the latent conditions per
member-year: for evaluation only, never for features. calibration.json sets each target of
data/synthetic/README.md beside the value reached.

Examples:
  rafcast generate --members 10000 --years 2021-2025 --seed 7 --out runs/synthetic
  rafcast generate --members 1000 --years 2024-2025 --out runs/small --format csv`,
  )
  .action((o) =>
    runAction(async () => {
      const bar = progressBar('generating', 'member-years');
      const started = performance.now();
      const s = await generatePopulation(
        { members: o.members, firstYear: o.years[0], lastYear: o.years[1], seed: o.seed, out: o.out, format: o.format },
        (done, total) => bar.update(done, total),
      );
      bar.stop();
      const report = s.calibration as unknown as Record<string, unknown>;
      const misses: string[] = [];
      const walk = (x: Record<string, unknown>, prefix: string): void => {
        for (const [k, v] of Object.entries(x)) {
          if (k === 'run' || v === null || typeof v !== 'object') continue;
          if ('within' in v) {
            if (!(v as { within: boolean }).within) misses.push(`${prefix}${k}`);
          } else walk(v as Record<string, unknown>, `${k}.`);
        }
      };
      walk(report, '');
      process.stdout.write(
        `${s.members} members, ${s.memberYears} member-years, ${s.claims} claims; ${((performance.now() - started) / 1000).toFixed(1)} s\n` +
          `calibration: ${misses.length === 0 ? 'every target within tolerance' : `outside tolerance: ${misses.join(', ')}`} (${join(o.out, 'calibration.json')})\n` +
          s.files.map((f) => `  ${f}\n`).join(''),
      );
    }),
  );

program
  .command('load')
  .description('Validate the contract\'s files (members, enrollment, claims) and store them as typed Parquet.')
  .requiredOption('--members <file>', 'members: .csv or .parquet (loaded first: the others are checked against it)')
  .option('--enrollment <file>', 'enrollment: .csv or .parquet')
  .option('--claims <file>', 'claims: .csv or .parquet')
  .requiredOption('--out <dir>', 'folder for members, enrollment and claims (.parquet or .arrow)')
  .option('--format <format>', 'output format: parquet or arrow (Arrow IPC file)', parseOutputTableFormat, 'parquet')
  .option('--max-rejected-share <share>', 'fail when more than this share of a file\'s rows is rejected', parseNumberOption('--max-rejected-share'), 0.5)
  .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 3GB (default: 80% of memory)')
  .addHelpText(
    'after',
    `
The fields of each file are in data/README.md. Rejected rows go to <file>.rejected.csv beside
each input (file, row, field, reason); the summary gives read = accepted + rejected per file.

Examples:
  rafcast load --members members.csv --enrollment enrollment.csv --claims claims.csv --out runs/loaded
  rafcast load --members m.parquet --claims claims.parquet --out runs/loaded --memory-limit 3GB
  rafcast load --members members.csv --claims claims.csv --out runs/loaded --format arrow`,
  )
  .action((o) =>
    runAction(async () => {
      const started = performance.now();
      const loaded = await loadContract(
        {
          files: { members: o.members, enrollment: o.enrollment, claims: o.claims },
          out: o.out,
          format: o.format,
          maxRejectedShare: o.maxRejectedShare,
          memoryLimit: o.memoryLimit,
        },
        (table) => process.stderr.write(`checking ${table} ...\n`),
      );
      for (const l of loaded) {
        const why = Object.entries(l.rejectedByField)
          .map(([f, n]) => `${f}: ${n}`)
          .join(', ');
        process.stdout.write(
          `${l.table}: read ${l.read} = accepted ${l.accepted} + rejected ${l.rejected}${why ? ` (${why})` : ''} -> ${l.output}` +
            `${l.rejected > 0 ? `; rejected rows: ${l.quarantine}` : ''}\n`,
        );
      }
      process.stdout.write(`${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    }),
  );

await program.parseAsync(process.argv);
