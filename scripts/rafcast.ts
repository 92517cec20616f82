#!/usr/bin/env node
// The `rafcast` command line: thin, it parses arguments and calls a pipeline.
import { Command } from 'commander';
import { availablePaymentYears, MODEL_VERSIONS } from '../data/reference/cms-hcc-tables.ts';
import { TABLE_FORMATS } from '../data/record-readers.ts';
import { join } from 'node:path';
import { generatePopulation } from '../pipelines/generate-population.ts';
import { importDesynpuf } from '../data/adapters/desynpuf.ts';
import { computeHistory } from '../scoring/history/compute-history.ts';
import { buildFeatures, featureDefinitions } from '../features/build-features.ts';
import { MODEL_KINDS, type ModelKind } from '../models/classifier.ts';
import type { ListMetrics } from '../models/metrics.ts';
import { writeCandidates } from '../evaluation/candidates.ts';
import { evaluateRun, type Evaluation } from '../evaluation/evaluate-run.ts';
import { writeReport } from '../evaluation/report.ts';
import { flowConfig, readEvaluations, runPipeline } from '../pipelines/run.ts';
import { failureOf, flowStatus, followFlow, runFolderOf } from '../pipelines/flow-status.ts';
import { readFlowConfig } from '../pipelines/jobs.ts';
import { connectionOf, enqueueFlow, startWorker } from '../pipelines/queue.ts';
import { runKeyOf } from '../pipelines/run-keys.ts';
import { ConfigError } from '../data/errors.ts';
import { listRuns, predictRun, readRunRecord, trainRun, type Backtest, type RunRecord } from '../models/model-run.ts';
import { loadContract } from '../pipelines/load-contract.ts';
import { scoreFile } from '../pipelines/score-file.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { dollars, percent } from '../evaluation/format.ts';
import {
  parseIntegerOption,
  parseModelMap,
  parseModelOption,
  parseNumberOption,
  parseGeneratedFormat,
  parseOutputTableFormat,
  parseYearRange,
  progressBar,
  stageBars,
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

program
  .command('features')
  .description('Write the feature table of an as-of year T: one row per member enrolled in T, from data dated before January 1 of T.')
  .requiredOption('--data <dir>', 'folder with members, enrollment and claims')
  .option('--history <dir>', 'rafcast history output (default: <data>/history)')
  .requiredOption('--as-of <year>', 'the as-of year T', parseIntegerOption('--as-of'))
  .requiredOption('--out <file>', 'the feature table (.parquet); the schema goes to <file>.schema.json')
  .option('--list', 'print the features with their meanings and stop')
  .addHelpText(
    'after',
    `
Features: RAF_{T-2} and RAF_{T-1} (raw and payment score, change), dollars in T-1 per V28
condition category (log-scaled), dollars on claims mapping to no HCC, HCCs coded in T-2 but
not T-1 with their coefficients, visits, inpatient days, months enrolled, demographics and
segment. Members new to the plan get missing-value indicators. rafcast features --list names them.

Examples:
  rafcast features --data runs/synthetic --as-of 2025 --out runs/features-2025.parquet
  rafcast features --data runs/synthetic --history runs/history --as-of 2024 --out f2024.parquet`,
  )
  .action((o) =>
    runAction(async () => {
      if (o.list) {
        for (const d of featureDefinitions()) process.stdout.write(`${d.name}\t${d.meaning}\n`);
        return;
      }
      const started = performance.now();
      const s = await buildFeatures({ data: o.data, history: o.history ?? join(o.data, 'history'), asOf: o.asOf, out: o.out });
      const { writeFile } = await import('node:fs/promises');
      await writeFile(`${o.out}.schema.json`, `${JSON.stringify(s.schema, null, 2)}\n`, { mode: 0o600 });
      process.stdout.write(
        `${s.members} members x ${s.schema.names.length} features (schema ${s.schema.hash.slice(0, 12)}); ${((performance.now() - started) / 1000).toFixed(1)} s\n  ${s.output}\n  ${o.out}.schema.json\n`,
      );
    }),
  );

const pct = percent;
const money = (x: number): string => dollars(x);
function metricsLines(label: string, m: ListMetrics): string[] {
  return [
    `${label.padEnd(8)} precision@20% ${pct(m.precision)}  recall ${pct(m.recall)}  F1 ${pct(m.f1)}  AUC ${m.auc.toFixed(3)}  ` +
      `lift by decile ${m.deciles.map((d) => d.lift.toFixed(2)).join(' ')}`,
  ];
}
function backtestLines(b: Backtest | null, model: string): string[] {
  if (b === null) return ['no backtest: the history has no RAF for the as-of year'];
  return [
    `backtest at as-of ${b.asOf} (${b.members} members, top 20% of RAF_${b.asOf}):`,
    ...metricsLines(model, b.model),
    ...metricsLines('naive', b.naive),
  ];
}

program
  .command('train')
  .description('Train a classifier at as-of T-1 (label: top 20% of RAF_{T-1}) to apply at T; backtest it when RAF_T is known.')
  .requiredOption('--data <dir>', 'folder with members, enrollment and claims')
  .option('--history <dir>', 'rafcast history output covering T-3..T-1 (and T for a backtest); default <data>/history')
  .requiredOption('--as-of <year>', 'the as-of year T the model is for', parseIntegerOption('--as-of'))
  .option('--model <kind>', `${MODEL_KINDS.join(' or ')}`, (v: string) => {
    if (!(MODEL_KINDS as readonly string[]).includes(v)) throw new Error(`--model must be ${MODEL_KINDS.join(' or ')}`);
    return v as ModelKind;
  }, 'mlp')
  .option('--seed <n>', 'random seed: the same seed gives the same model', parseIntegerOption('--seed'), 1)
  .requiredOption('--out <dir>', 'run folder: model.json, weights.bin, schema.json, standardization.json, metrics.json, run.json')
  .addHelpText(
    'after',
    `
The backend (tfjs-node if installed, else WebAssembly, else CPU) is printed and recorded in run.json.

Examples:
  rafcast history --data runs/synthetic --years 2021-2025 --out runs/synthetic/history
  rafcast train --data runs/synthetic --as-of 2025 --out runs/models/mlp-2025
  rafcast train --data runs/synthetic --as-of 2025 --model logistic --seed 3 --out runs/models/logistic-2025`,
  )
  .action((o) =>
    runAction(async () => {
      const r = await trainRun(
        { data: o.data, history: o.history, asOf: o.asOf, model: o.model, seed: o.seed, out: o.out },
        (line) => process.stderr.write(`${line}\n`),
      );
      process.stdout.write(
        [
          `${r.model} (seed ${r.seed}, backend ${r.backend}) trained on ${r.training.labelled} members of as-of ${r.trainedOn}, ` +
            `best epoch ${r.training.bestEpoch} of ${r.training.epochs}, ${r.training.seconds.toFixed(1)} s`,
          ...metricsLines('valid.', r.validation),
          ...backtestLines(r.backtest, r.model),
          `run: ${o.out}`,
        ].join('\n') + '\n',
      );
    }),
  );

program
  .command('predict')
  .description('Apply a trained run at as-of T: each member\'s probability of the top 20% of RAF_T, ranked, with deciles.')
  .requiredOption('--run <dir>', 'a run folder from rafcast train')
  .requiredOption('--as-of <year>', 'the as-of year T', parseIntegerOption('--as-of'))
  .requiredOption('--out <file>', 'scores: .parquet or .csv (member_id, probability, rank, decile)')
  .option('--data <dir>', 'other data than the run was trained on (a new year, say)')
  .option('--history <dir>', 'its rafcast history output (default <data>/history)')
  .option('--features <file>', 'a feature table from rafcast features for this as-of year (skips building one)')
  .addHelpText(
    'after',
    `
When RAF_T is known, the model and the naive list (top 20% by RAF_{T-1}) are measured side by
side and saved to <out>.metrics.json. A run trained on other features than this version's is
refused with the difference.

Examples:
  rafcast predict --run runs/models/mlp-2025 --as-of 2025 --out runs/predictions-2025.parquet
  rafcast predict --run runs/models/mlp-2025 --as-of 2026 --data runs/plan-2026 --out p2026.csv
  rafcast predict --run runs/models/mlp-2025 --as-of 2025 --features runs/features-2025.parquet --out p.parquet`,
  )
  .action((o) =>
    runAction(async () => {
      const started = performance.now();
      const s = await predictRun(
        { run: o.run, asOf: o.asOf, out: o.out, data: o.data, history: o.history, features: o.features },
        (l) => process.stderr.write(`${l}\n`),
      );
      const record = readRunRecord(o.run);
      process.stdout.write(
        [`${s.members} members scored (backend ${s.backend}); ${((performance.now() - started) / 1000).toFixed(1)} s`, ...backtestLines(s.backtest, record.model), `  ${s.output}`].join('\n') +
          '\n',
      );
    }),
  );

const modelsCommand = program.command('models').description('Trained runs: list and compare.');
function runRow(r: RunRecord): string {
  const b = r.backtest;
  return [
    r.runId.padEnd(24),
    r.model.padEnd(8),
    String(r.asOf).padEnd(6),
    String(r.seed).padEnd(5),
    r.backend.padEnd(10),
    (b ? pct(b.model.precision) : '-').padEnd(8),
    (b ? pct(b.naive.precision) : '-').padEnd(8),
    b ? b.model.auc.toFixed(3) : '-',
  ].join(' ');
}
const RUN_HEADER = ['run'.padEnd(24), 'model'.padEnd(8), 'as-of'.padEnd(6), 'seed'.padEnd(5), 'backend'.padEnd(10), 'prec@20'.padEnd(8), 'naive'.padEnd(8), 'AUC'].join(' ');
modelsCommand
  .command('list')
  .description('List the runs in a folder, newest first, with their backtest figures.')
  .option('--runs <dir>', 'folder holding run folders', 'runs/models')
  .addHelpText('after', '\nExample:\n  rafcast models list --runs runs/models')
  .action((o) =>
    runAction(async () => {
      const runs = listRuns(o.runs);
      if (runs.length === 0) {
        process.stdout.write(`no runs in ${o.runs}\n`);
        return;
      }
      process.stdout.write(`${RUN_HEADER}\n${runs.map(runRow).join('\n')}\n`);
    }),
  );
modelsCommand
  .command('compare')
  .description('Show runs side by side: settings, inputs, validation and backtest metrics, lift by decile.')
  .argument('<runs...>', 'run folders')
  .addHelpText('after', '\nExample:\n  rafcast models compare runs/models/mlp-2025 runs/models/logistic-2025')
  .action((dirs: string[]) =>
    runAction(async () => {
      const runs = dirs.map(readRunRecord);
      const row = (label: string, f: (r: RunRecord) => string): string => `${label.padEnd(22)} ${runs.map((r) => f(r).padEnd(20)).join(' ')}`;
      const m = (f: (x: ListMetrics) => string) => (r: RunRecord) => (r.backtest ? f(r.backtest.model) : '-');
      const lines = [
        row('run', (r) => r.runId),
        row('model', (r) => r.model),
        row('as-of (trained on)', (r) => `${r.asOf} (${r.trainedOn})`),
        row('seed', (r) => String(r.seed)),
        row('backend', (r) => r.backend),
        row('schema', (r) => r.schema.hash.slice(0, 12)),
        row('input fingerprint', (r) => r.fingerprint.combined.slice(0, 12)),
        row('best epoch / epochs', (r) => `${r.training.bestEpoch} / ${r.training.epochs}`),
        row('validation prec@20', (r) => pct(r.validation.precision)),
        row('validation AUC', (r) => r.validation.auc.toFixed(3)),
        row('backtest prec@20', m((x) => pct(x.precision))),
        row('backtest recall@20', m((x) => pct(x.recall))),
        row('backtest F1@20', m((x) => pct(x.f1))),
        row('backtest AUC', m((x) => x.auc.toFixed(3))),
        row('naive prec@20', (r) => (r.backtest ? pct(r.backtest.naive.precision) : '-')),
        row('naive AUC', (r) => (r.backtest ? r.backtest.naive.auc.toFixed(3) : '-')),
        ...Array.from({ length: 10 }, (_, d) => row(`lift decile ${d + 1}`, m((x) => x.deciles[d]!.lift.toFixed(2)))),
      ];
      if (new Set(runs.map((r) => r.fingerprint.combined)).size > 1) lines.push('note: the runs were trained on different inputs');
      process.stdout.write(`${lines.join('\n')}\n`);
    }),
  );

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
  .action((o) =>
    runAction(async () => {
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
    }),
  );

program
  .command('evaluate')
  .description('Backtest a run at as-of T: the model\'s, the naive and (on generated data) the perfect-knowledge lists, with accelerated and incremental revenue.')
  .requiredOption('--run <dir>', 'a run folder from rafcast train')
  .requiredOption('--as-of <year>', 'the as-of year T (the history needs T and, for incremental revenue, T+1)', parseIntegerOption('--as-of'))
  .requiredOption('--out <dir>', 'folder for evaluation.json, members.csv, deciles.csv and cash.csv')
  .option('--base-rate <dollars>', 'annual base rate per member (PMPM x 12)', parseNumberOption('--base-rate'), DEMO_BASE_RATE_ANNUAL)
  .option('--data <dir>', 'other data than the run was trained on')
  .option('--history <dir>', 'its rafcast history output (default <data>/history)')
  .addHelpText(
    'after',
    `
Accelerated revenue: the positive August lump sums of payment year T+1 for the list.
Incremental revenue: c = mean(RAF_{T+1}) / mean(RAF_T); listed members above c, their gaps in
dollars. A listed member with no RAF_{T+1} (died, left) counts as documented. DOMAIN.md section 4.

Examples:
  rafcast train --data runs/synthetic --as-of 2024 --out runs/models/mlp-2024
  rafcast evaluate --run runs/models/mlp-2024 --as-of 2024 --out runs/evaluation-2024`,
  )
  .action((o) =>
    runAction(async () => {
      const started = performance.now();
      const e = await evaluateRun({ run: o.run, asOf: o.asOf, out: o.out, annualBaseRate: o.baseRate, data: o.data, history: o.history }, (l) => process.stderr.write(`${l}\n`));
      const lines = [
        `as-of ${e.asOf}: ${e.members} members, lists of ${e.listSize}; c = ${e.c.toFixed(4)} over ${e.withBothYears} members with RAF_${e.asOf} and RAF_${e.asOf + 1}`,
        ...e.lists.map(
          (l) =>
            `${l.name.padEnd(8)} precision@20% ${pct(l.metrics.precision)}  AUC ${l.metrics.auc.toFixed(3)}  accelerated ${money(l.revenue.accelerated.total)} (${l.revenue.accelerated.members} members)  ` +
            `incremental ${money(l.revenue.incremental.total)} (${l.revenue.incremental.members}, ${pct(l.revenue.incremental.share)} of the list; ${l.revenue.incremental.noNextYear} with no RAF_${e.asOf + 1})`,
        ),
        e.verdict,
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
        ...['evaluation.json', 'members.csv', 'deciles.csv', 'cash.csv'].map((f) => `  ${join(o.out, f)}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }),
  );

program
  .command('report')
  .description('A self-contained HTML report of an evaluation: headline figures, lift and gain curves, deciles, dollars, cash by month, the outreach list.')
  .requiredOption('--evaluation <dir>', 'a folder from rafcast evaluate')
  .option('--candidates <dir>', 'a folder from rafcast candidates: the top of its outreach list goes in the report')
  .option('--top <n>', 'outreach rows to show', parseIntegerOption('--top'), 20)
  .requiredOption('--out <file>', 'the HTML file (owner-only: it may hold member ids)')
  .addHelpText(
    'after',
    `
The file has no scripts and fetches nothing: charts are inline SVG (Vega-Lite, rendered in Node).

Examples:
  rafcast report --evaluation runs/evaluation-2024 --out runs/report-2024.html
  rafcast report --evaluation runs/evaluation-2024 --candidates runs/candidates-2024 --out runs/report.html`,
  )
  .action((o) =>
    runAction(async () => {
      await writeReport(o.evaluation, o.out, o.candidates, o.top);
      process.stdout.write(`report: ${o.out}\n`);
    }),
  );

/** The lists' precision, AUC and dollars (every model; the naive and perfect lists once), the verdict, the time and the report. */
function printRunSummary(evaluations: Record<string, Evaluation>, first: string, started: number, report: string): void {
  const lines: string[] = [];
  for (const [model, e] of Object.entries(evaluations)) {
    for (const l of e.lists) {
      if (l.name !== 'model' && model !== first) continue;
      lines.push(
        `${(l.name === 'model' ? model : l.name).padEnd(8)} precision@20% ${pct(l.metrics.precision)}  AUC ${l.metrics.auc.toFixed(3)}  accelerated ${money(l.revenue.accelerated.total)}  incremental ${money(l.revenue.incremental.total)}`,
      );
    }
    if (model === first) lines.push(e.verdict);
  }
  lines.push(`${((performance.now() - started) / 1000).toFixed(1)} s; the report: ${report}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

program
  .command('run')
  .description('The whole backtest: history, features, models, scores, evaluation, candidate list and report, in this process or on queued workers (stages already done are skipped).')
  .option('--data <dir>', 'folder with members, enrollment and claims')
  .option('--as-of <year>', 'the as-of year T; the data must cover T+1 for incremental revenue', parseIntegerOption('--as-of'))
  .option('--resume <run>', 'finish a stopped run, given its folder or (with --redis) its run key: settings from its flow.json, stages done are skipped')
  .option('--out <dir>', 'run folder (default runs/run-<as-of>)')
  .option('--models <kinds>', `comma-separated: ${MODEL_KINDS.join(', ')}; the first gives the candidate list and the report`, (v: string) => {
    const kinds = v.split(',').map((k) => k.trim());
    for (const k of kinds) if (!(MODEL_KINDS as readonly string[]).includes(k)) throw new Error(`--models: unknown model ${k}`);
    return kinds as ModelKind[];
  }, ['mlp', 'logistic'] as ModelKind[])
  .option('--seed <n>', 'random seed for the models', parseIntegerOption('--seed'), 1)
  .option('--base-rate <dollars>', 'annual base rate per member (PMPM x 12)', parseNumberOption('--base-rate'), DEMO_BASE_RATE_ANNUAL)
  .option('--generate <members>', 'when --data has no files, generate a plan of this many members (2021-2025, seed 2021) first', parseIntegerOption('--generate'))
  .option('--shards <n>', 'split the members into this many shards for the per-member stages', parseIntegerOption('--shards'), 1)
  .option('--jobs <n>', 'in process: jobs at a time (shards, models), each in a child process, e.g. one per core', parseIntegerOption('--jobs'), 1)
  .option('--redis <url>', 'enqueue the flow on BullMQ at this Redis (redis://host:port) and follow it; rafcast worker processes run it')
  .addHelpText(
    'after',
    `
The flow: partition (the files checked once, members split into shards by the MD5 of their id),
history and features (a job per shard, then a merge), models (a chain per model, side by side:
train, scores by shard, evaluate), candidates, report. Everything is written to the run folder;
the results are the same bytes for any number of shards, in process or on workers. Without
--redis every job runs here in flow order, and a stage whose outputs exist is skipped, so
rerunning resumes a stopped run. With --redis, start workers first (rafcast worker --redis URL)
on any machine that sees the run folder; a bar per stage follows the run, and the run key it
prints (also in <run folder>/queued-run.json) works with rafcast status and --resume.

Examples:
  rafcast run --data runs/default --as-of 2024 --generate 20000
  rafcast run --data runs/synthetic --as-of 2024 --models logistic --shards 4 --out runs/logistic-2024
  rafcast run --data runs/synthetic --as-of 2024 --shards 4 --jobs 2 --out runs/two-cores
  rafcast run --data runs/synthetic --as-of 2024 --shards 8 --redis redis://127.0.0.1:6379 --out runs/queued
  rafcast run --resume runs/queued --redis redis://127.0.0.1:6379`,
  )
  .action((o) =>
    runAction(async () => {
      const started = performance.now();
      if (o.resume !== undefined) {
        const f = await readFlowConfig(await runFolderOf(o.resume, o.redis !== undefined ? connectionOf(o.redis) : undefined));
        Object.assign(o, { data: f.data, asOf: f.asOf, out: f.out, models: f.models, seed: f.seed, baseRate: f.annualBaseRate, shards: f.shards, generate: undefined });
      }
      if (o.data === undefined || o.asOf === undefined) throw new ConfigError('give --data and --as-of, or --resume with a run folder');
      const out = o.out ?? join('runs', `run-${o.asOf}`);
      if (o.redis !== undefined) {
        if (o.jobs !== 1) throw new ConfigError('--jobs is for runs in this process; with --redis, start more workers or give them --concurrency');
        const connection = connectionOf(o.redis);
        const config = await flowConfig({ data: o.data, asOf: o.asOf, out, models: o.models, seed: o.seed, annualBaseRate: o.baseRate, shards: o.shards });
        // Every enqueue has its own run key; a resumed run's stages done before return at once.
        const runKey = await enqueueFlow(config, connection);
        process.stderr.write(`run ${runKey} enqueued; following it (also: rafcast status ${out} --redis ${o.redis})\n`);
        const bars = stageBars();
        try {
          await followFlow(runKey, connection, (states) => bars.update(states));
        } finally {
          bars.stop();
        }
        printRunSummary(await readEvaluations(out, o.models), o.models[0], started, join(out, 'report.html'));
        return;
      }
      const s = await runPipeline(
        {
          data: o.data,
          asOf: o.asOf,
          out,
          models: o.models,
          seed: o.seed,
          annualBaseRate: o.baseRate,
          shards: o.shards,
          jobs: o.jobs,
          generateIfMissing: o.generate !== undefined ? { members: o.generate, firstYear: 2021, lastYear: 2025, seed: 2021 } : undefined,
        },
        (e) =>
          process.stderr.write(
            e.state === 'start' ? `${e.stage} (${e.detail}) ...\n` : e.state === 'skipped' ? `${e.stage} (${e.detail}): done before, skipped\n` : `${e.stage} (${e.detail}): ${e.seconds!.toFixed(1)} s\n`,
          ),
      );
      printRunSummary(s.evaluations, o.models[0], started, s.report);
    }),
  );

program
  .command('worker')
  .description('Run the jobs of queued flows (rafcast run --redis) on this machine, until stopped.')
  .requiredOption('--redis <url>', 'the Redis the runs are queued on, e.g. redis://127.0.0.1:6379')
  .option('--concurrency <n>', 'jobs at a time, each in a child process of this worker (one per core: 2 on a 2-core machine)', parseIntegerOption('--concurrency'), 1)
  .option('--lock-seconds <s>', 'a job held this long by a worker that stopped answering goes to another worker', parseIntegerOption('--lock-seconds'), 120)
  .addHelpText(
    'after',
    `
Each job runs in a child process of the worker (kept from job to job), so --concurrency N keeps N
cores busy; a job held by a worker that stopped answering goes to another after --lock-seconds.
Stop with Ctrl-C: the worker finishes its jobs first.

Examples:
  rafcast worker --redis redis://127.0.0.1:6379
  rafcast worker --redis redis://queue.internal:6379 --concurrency 4`,
  )
  .action((o) =>
    runAction(async () => {
      const worker = startWorker(connectionOf(o.redis), { concurrency: o.concurrency, lockMs: o.lockSeconds * 1000 });
      worker.on('completed', (job) => process.stderr.write(`done ${job.name} (${job.id})\n`));
      worker.on('failed', (job, err) => process.stderr.write(`failed ${job?.name} (${job?.id}): ${err.message}\n`));
      process.stderr.write(`worker on ${o.redis}, concurrency ${o.concurrency}; stop with Ctrl-C\n`);
      await new Promise<void>((resolve) => {
        // Wrappers (npx, tsx) pass a Ctrl-C on as well, so a signal can come twice: the first
        // starts a graceful stop, later ones only say so (the default would kill running jobs).
        let stopping = false;
        const stop = (): void => {
          if (stopping) {
            process.stderr.write('stopping: running jobs finish first (kill -9 to stop at once; their jobs go to another worker)\n');
            return;
          }
          stopping = true;
          process.stderr.write('stopping after the running jobs ...\n');
          void worker.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    }),
  );

program
  .command('status')
  .description('The state of each stage of a queued run.')
  .argument('<run>', 'the run folder, or the run key rafcast run --redis printed')
  .requiredOption('--redis <url>', 'the Redis the run is queued on')
  .addHelpText('after', '\nExamples:\n  rafcast status runs/queued --redis redis://127.0.0.1:6379\n  rafcast status queued-mhx3k2 --redis redis://127.0.0.1:6379\n')
  .action((run: string, o) =>
    runAction(async () => {
      const runKey = runKeyOf(run);
      const connection = connectionOf(o.redis);
      const states = await flowStatus(runKey, connection);
      if (states.every((x) => x.state === 'unknown')) throw new ConfigError(`no run ${runKey} on ${o.redis}`);
      const lines = states.map((x) => `${x.stage.padEnd(12)} ${x.state.padEnd(18)} ${x.done}/${x.total}`);
      const failure = await failureOf(runKey, connection);
      if (failure !== undefined) lines.push(`failed: ${failure}`);
      process.stdout.write(`run ${runKey}\n${lines.join('\n')}\n`);
    }),
  );

await program.parseAsync(process.argv);
