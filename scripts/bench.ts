// `npm run bench`: speed figures, printed, never asserted. Each step runs in its own process so
// its peak memory (max RSS) is its own. File-to-file and loading steps run BENCH_REPEATS times (default 3)
// and print the median run with the range: this machine shares its host, and single runs of the
// same code were seen to differ by 30%. Sizes: BENCH_MEMBERS (default 1,000,000) for scoring,
// BENCH_POPULATION (default 1,000,000) members for generating a synthetic plan over five years
// and loading and validating its claims, then its five-year risk score history, features,
// training and prediction, the suspects at as-of 2025, and ACO REACH alignment and benchmark for
// 2026; BENCH_QUALITY or --members (default 100,000) members per plan for the models' quality (npm run bench -- --help).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    help: { type: 'boolean', short: 'h' },
    only: { type: 'string' },
    members: { type: 'string' },
    'plan-seeds': { type: 'string' },
    'as-of': { type: 'string' },
    'model-seeds': { type: 'string' },
  },
});
if (args.help) {
  console.log(`Usage: npm run bench -- [--only step,...] [--members n] [--plan-seeds a,b,c] [--as-of 2024,2025] [--model-seeds 1,2,3]

Prints speed and quality figures (never asserted). Steps: cli-start, score-batch, score-file-jsonl,
score-file-csv, score-file-parquet, generate, load-generated, history, features, train, predict,
known-history, suspects, audit-risk, providers, providers-inside, align, benchmark, serve, quality, quality-desynpuf, queued, queued-e2e, redis-load, scaling, memory.

generate to suspects run on a plan of BENCH_POPULATION members (default 1,000,000), each step
reading the earlier ones' files in .bench/. known-history: the plan's pharmacy and labs files when
it lacks them (the generate step writes none; the plan is generated again with them, its other
files the same bytes), then the history as known on 2025-01-01 for 2023-2025, timed. suspects:
rafcast suspects at as-of 2025 with that known history passed in, timed, with its peak RSS.
  BENCH_POPULATION=5000 npm run bench -- --only generate,history,known-history,suspects,audit-risk,providers,providers-inside

align and benchmark (ACO REACH, issue 19), performance year 2026 on the same plan: align generates
its participants and voluntary_alignment files first when the plan lacks them (the plan again with
the optional files, its other files the same bytes; in a process of its own, its time and peak RSS
printed apart; the known-history step does it too), then times rafcast align; benchmark times
rafcast benchmark with the align step's folder and the history step's history passed in.
  BENCH_POPULATION=20000 npm run bench -- --only generate,history,align,benchmark

quality: on generated plans of --members n (default 100,000; BENCH_QUALITY), one per plan seed
(default 11,12,13), trained at T-1 and backtested at each as-of T (default 2024,2025): precision
at 20% and AUC of the naive, analyst's, logistic, MLP (l2 1e-3 without dropout, as before), one MLP
of the raw columns (the default before December 2026), 5-network ensemble, MLP (the default until
2026-12-04) and default model (boosted trees, gbdt) lists as mean and range over the plan seeds,
the default model's and the MLP's spread over the model seeds (default 1,2,3),
every list's accelerated and incremental dollars against the naive list's and as a share of the
perfect-knowledge and ceiling lists' (the default model's first seed), and training seconds
(with CPU-seconds from 1,000,000 members). Lists: BENCH_LISTS=logistic,mlp-l2,mlp-raw1,ensemble5,mlp
(default all; the default model always). Plans are kept in .bench/quality-<n>-s<seed>/ and reused;
BENCH_PREPARE_ONLY=1 prepares them (plans, feature tables, histories as known on January 1) and
stops, so that timings can be taken later on an idle machine.
  npm run bench -- --only quality --members 30000       # a quick look
  npm run bench -- --only quality                       # issue 15's goals: 100,000 members
  BENCH_PREPARE_ONLY=1 npm run bench -- --only quality --members 1000000 --plan-seeds 11 --as-of 2025
  BENCH_LISTS= npm run bench -- --only quality --members 1000000 --plan-seeds 11 --as-of 2025 --model-seeds 1

quality-desynpuf: the same lists on each DE-SynPUF sample <k>-sample-* in BENCH_DESYNPUF (default
../shared/external-data/desynpuf-milwaukee-10k beside the repository), imported with payment year
2025's tables for 2008-2010, the default model, the MLP and logistic trained at 2009 and backtested at 2010:
precision at 20% and AUC as mean and range over the samples, each sample's line, and the features
neutralised at 2010. Imports and histories are kept in .bench/desynpuf-<k>/ and reused.
  npm run bench -- --only quality-desynpuf

redis-load: a flow of BENCH_SHARDS shards (default 256), rafcast run's models (gbdt, MLP, logistic), enqueued on a Redis
started here and its fan-outs' children added as workers add them (no job runs): the job count,
Redis's used_memory before and after, the enqueue time, and the cost of the status call
(median and slowest of 20). Light: a few seconds, a plan of 300 members.
  npm run bench -- --only redis-load

scaling: the queued flow of a generated plan of --members n (default 200,000; BENCH_SCALING),
BENCH_SCALING_SHARDS shards (default 16), rafcast run's models (gbdt, MLP, logistic), on one worker limited to one thread
(rafcast worker --threads 1), then on two: the wall time and speedup of the whole flow, each
stage's CPU-seconds and serial part (what is not one of a set of shards: the partition, merges,
training, evaluation, list, report) with each model's training on its own line, and Amdahl's-law
projections for 1, 2, 4, 8 and 16 workers of one core and of four cores, the serial fraction
stated. Takes the whole machine: run it idle.
  npm run bench -- --only scaling --members 5000        # a quick look
  npm run bench -- --only scaling                       # issue 20: 200,000 members
  npm run bench -- --only scaling --members 1000000

memory: the queued flow of a generated plan of --members n (default 1,000,000; BENCH_MEMORY),
.bench/synthetic-n reused or generated (its generation's time and peak RSS printed), rafcast run's
models (gbdt, MLP, logistic), BENCH_MEMORY_SHARDS shards (default one per 250,000 members, at least 4), two workers at
their default settings: per stage (partition, history and its shards, features and its shards,
training per model, prediction shards, scores' merges, evaluation, candidates, report) the peak
resident memory of its largest job and which job (each job's peak in the process that ran it,
sampled every 100 ms), the worker processes' own peaks, and whether every process stayed under
6 GiB. A line per stage goes to stderr as it completes. Long: about 15 minutes at 1,000,000.
  npm run bench -- --only memory --members 20000        # a quick look
  npm run bench -- --only memory                        # issue 20: 1,000,000 members
  npm run bench -- --only memory --members 5000000`);
  process.exit(0);
}
if (args['plan-seeds'] !== undefined) process.env.BENCH_PLAN_SEEDS = args['plan-seeds'];
if (args['as-of'] !== undefined) process.env.BENCH_AS_OF = args['as-of'];
if (args['model-seeds'] !== undefined) process.env.BENCH_MODEL_SEEDS = args['model-seeds'];
const only = args.only?.split(',');

const members = Number(process.env.BENCH_MEMBERS ?? 1_000_000);
const repeats = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3));
const population = Number(process.env.BENCH_POPULATION ?? 1_000_000);
// Each step: its name, its runs (the median printed), its size and what the size counts (members unless said).
const steps: [string, number, number, string?][] = [
  ['cli-start', 1, 10, 'runs'],
  ['score-batch', 1, members],
  ['score-file-jsonl', repeats, members],
  ['score-file-csv', repeats, members],
  ['score-file-parquet', repeats, members],
  ['generate', 1, population],
  ['load-generated', repeats, population],
  ['history', 1, population],
  ['features', 1, population],
  ['train', 1, population],
  ['predict', 1, population],
  ['known-history', 1, population],
  ['suspects', 1, population],
  ['audit-risk', 1, population],
  ['providers', 1, population],
  ['providers-inside', 1, population],
  ['align', 1, population],
  ['benchmark', 1, population],
  ['serve', 1, Number(process.env.BENCH_SERVE ?? 1_000_000)],
  ['quality', 1, Number(args.members ?? process.env.BENCH_QUALITY ?? 100_000)],
  ['quality-desynpuf', 1, 10_000],
  ['queued', 1, 200_000],
  ['queued-e2e', 1, population],
  ['redis-load', 1, Number(process.env.BENCH_SHARDS ?? 256), 'shards'],
  ['scaling', 1, Number(args.members ?? process.env.BENCH_SCALING ?? 200_000)],
  ['memory', 1, Number(args.members ?? process.env.BENCH_MEMORY ?? 1_000_000)],
];
const script = fileURLToPath(new URL('./bench-steps.ts', import.meta.url));
const rate = (line: string): number => Number(/([\d,]+) (?:members|rows|member-years)\/s/.exec(line)?.[1]?.replaceAll(',', '') ?? NaN);

// The header names what the steps run measure: the whole bench's plan sizes, or each chosen step's size.
console.log(
  only === undefined
    ? `rafcast bench: ${members.toLocaleString('en-US')} members (about 8 codes each), a synthetic plan of ${population.toLocaleString('en-US')} members x 5 years; node ${process.version}`
    : `rafcast bench: ${steps.filter(([s]) => only.includes(s)).map(([s, , n, unit = 'members']) => `${s}, ${n.toLocaleString('en-US')} ${unit}`).join('; ')}; node ${process.version}`,
);
for (const [step, runs, size] of steps) {
  if (only !== undefined && !only.includes(step)) continue;
  const lines: string[] = [];
  for (let r = 0; r < runs; r++) {
    const p = spawnSync(process.execPath, ['--import', 'tsx', script, step, String(size)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    });
    if (p.status !== 0) {
      console.log(`${step}: failed (exit ${p.status})`);
      process.exitCode = 1;
      break;
    }
    lines.push(p.stdout.trim());
  }
  if (lines.length < runs) continue;
  lines.sort((a, b) => rate(a) - rate(b));
  const median = lines[Math.floor(lines.length / 2)]!;
  const range = runs > 1 ? ` [median of ${runs}; range ${rate(lines[0]!).toLocaleString('en-US')}-${rate(lines.at(-1)!).toLocaleString('en-US')}/s]` : '';
  console.log(`${median}${range}`);
}
