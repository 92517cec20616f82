#!/usr/bin/env node
// The `rafcast` command line: thin, it parses arguments and calls a pipeline.
import { Command } from 'commander';
import { availablePaymentYears, MODEL_VERSIONS } from '../data/reference/cms-hcc-tables.ts';
import { TABLE_FORMATS } from '../data/record-readers.ts';
import { join } from 'node:path';
import { generatePopulation } from '../pipelines/generate-population.ts';
import { importDesynpuf } from '../data/adapters/desynpuf.ts';
import { computeHistory } from '../pipelines/history.ts';
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

program
  .command('history')
  .description('Risk score history per member and service year: RAF_y, RAF_init_y, payment scores, August lump sums, HCCs.')
  .requiredOption('--data <dir>', 'folder with members, enrollment and claims (.parquet or .csv), as rafcast generate writes')
  .requiredOption('--years <first-last>', 'service years, e.g. 2021-2025 (each pays in the next year)', parseYearRange)
  .requiredOption('--out <dir>', 'folder for raf_history.parquet, raf_hcc.parquet and history.json')
  .option('--base-rate <dollars>', 'annual base rate per member (PMPM x 12)', parseNumberOption('--base-rate'), DEMO_BASE_RATE_ANNUAL)
  .option('--model <model>', 'pay on one model alone (blend forced to 100%): V24 or V28', parseModelOption)
  .option('--blend <weights>', 'blend weights for every payment year, e.g. V24=0.33,V28=0.67', parseModelMap('--blend'))
  .option('--normalization <factors>', 'normalisation factors for every payment year, e.g. V28=1.045', parseModelMap('--normalization'))
  .option('--coding-adjustment <share>', 'MA coding pattern adjustment, e.g. 0.059', parseNumberOption('--coding-adjustment'))
  .option('--tables-year <year>', 'score every service year with this payment year\'s tables and factors (for old data such as DE-SynPUF)', parseIntegerOption('--tables-year'))
  .option('--strict-eligibility', 'stop when a service year has no bundled CMS eligible CPT/HCPCS list (default: use the nearest year\'s)')
  .option('--max-rejected-share <share>', 'fail when more than this share of a file\'s rows is rejected', parseNumberOption('--max-rejected-share'), 0.5)
  .option('--memory-limit <size>', 'DuckDB memory limit; it spills to disk beyond (default: 4GB)')
  .addHelpText(
    'after',
    `
For every member enrolled in a service year y (and alive at its start): RAF_y from dates of
service in calendar year y, RAF_init_y from July 1 of y-1 to June 30 of y, raw scores under V24
and V28, payment scores for payment year y+1, the August lump sum, and per HCC the first and last
date of service and the provider. Only risk-adjustment-eligible claims count. Every choice is in
scoring/README.md; what each year was scored with is in history.json.

Examples:
  rafcast history --data runs/synthetic --years 2021-2025 --out runs/history
  rafcast history --data runs/synthetic --years 2024-2025 --out runs/history-v28 --model V28 --base-rate 12000
  rafcast history --data runs/desynpuf --years 2008-2010 --out runs/desynpuf-history --tables-year 2025`,
  )
  .action((o) =>
    runAction(async () => {
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
        if (notes.length > 0) lines.push(`service year ${p.serviceYear} (payment year ${p.paymentYear}) used ${notes.join(', ')}`);
      }
      lines.push(
        `diagnoses in range ${d.inRange} = eligible ${d.eligible} + ineligible ${d.ineligible}`,
        `eligible, calendar-year windows: attributed ${d.midYear.attributed} + outside the years ${d.midYear.outsideYears} + member not enrolled ${d.midYear.notEnrolled}`,
        `eligible, July-June windows: attributed ${d.initial.attributed} + outside the years ${d.initial.outsideYears} + member not enrolled ${d.initial.notEnrolled}`,
        `${s.members} members, ${s.memberYears} member-years, ${s.hccRows} HCC rows` +
          `${s.rejected > 0 ? `; ${s.rejected} member-years not scored (raf_history.rejected.csv)` : ''}; ${((performance.now() - started) / 1000).toFixed(1)} s`,
        ...s.files.map((f) => `  ${f}`),
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    }),
  );

const importCommand = program.command('import').description('Turn public claims files into the input contract.');
importCommand
  .command('desynpuf')
  .description('Import CMS DE-SynPUF 2008-2010 beneficiary and claims files: ICD-9 to ICD-10 through the GEM, defaults flagged.')
  .requiredOption('--in <dir>', 'folder with DE1_0_<year>_Beneficiary_Summary_File_*.csv and the inpatient (and outpatient) claims files')
  .requiredOption('--out <dir>', 'folder for members, enrollment and claims .parquet, flags.parquet, import.json, import.rejected.csv')
  .addHelpText(
    'after',
    `
Every input row is imported or rejected with its file, row, field and reason. What DE-SynPUF lacks
(dual status, OREC, institutional and new-enrollee status, type of bill) gets a documented default,
listed in import.json and flagged per member-year in flags.parquet. How ICD-9 codes with several
ICD-10 targets are resolved is in data/adapters/README.md.

Examples:
  rafcast import desynpuf --in ../shared/external-data/desynpuf-milwaukee-10k/1-sample-10000 --out runs/desynpuf-1
  rafcast history --data runs/desynpuf-1 --years 2008-2010 --tables-year 2025 --out runs/desynpuf-1-history`,
  )
  .action((o) =>
    runAction(async () => {
      const started = performance.now();
      const s = await importDesynpuf(o.in, o.out, (stage) => process.stderr.write(`${stage} ...\n`));
      const d = s.diagnoses;
      const pct = (n: number): string => `${((100 * n) / Math.max(1, d.icd9)).toFixed(1)}%`;
      process.stdout.write(
        [
          ...s.files.map((f) => `${f.file}: read ${f.read} = imported ${f.imported} + rejected ${f.rejected}`),
          `${s.members} members, ${s.memberYears} member-years, ${s.claims} claims`,
          `ICD-9 diagnoses ${d.icd9}: to one ICD-10 code ${d.toOne} (${pct(d.toOne)}; ${d.choseAmongAlternatives} chosen among alternatives, ` +
            `${d.viaSubcode} through a subcode), to several ${d.toSeveral}, no ICD-10 equivalent ${d.noMap}, not in the GEM ${d.notInGem}`,
          `defaults: ${s.defaults.map((x) => `${x.table}.${x.field}`).join(', ')} (import.json, flags.parquet)`,
          ...(s.ignored.length > 0 ? [`not imported: ${s.ignored.join(', ')}`] : []),
          `${((performance.now() - started) / 1000).toFixed(1)} s`,
          ...s.outputs.map((f) => `  ${f}`),
        ].join('\n') + '\n',
      );
    }),
  );

await program.parseAsync(process.argv);
