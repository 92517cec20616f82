// `rafcast run`: the whole backtest, in this process (pipelines/run.ts) or on queued workers
// (pipelines/run-queued.ts), a stopped run resumed from its flow.json.
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { ConfigError } from '../../data/errors.ts';
import { dollars } from '../../evaluation/format.ts';
import type { Evaluation } from '../../evaluation/evaluation-types.ts';
import { RANK_BY, type RankBy } from '../../evaluation/dollars-ranking.ts';
import type { FlowConfig } from '../../pipelines/jobs.ts';
import { DEFAULT_MODELS, MODEL_KINDS, type ModelKind } from '../../models/model-kinds.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { DATA_THROUGH_HELP, parseCountOption, parseDataThrough, parseDollarsOption, parseModelKinds, parseQueueName, parseRedisUrl, parseSeedOption, parseYearOption, runAction } from '../cli-support.ts';
import { S3_ENDPOINT_HELP, parseS3Endpoint, parseStoreUrl, useS3Endpoint } from '../cli-store.ts';
import { runSummaryLines } from '../summary-lines.ts';
import { QUEUE } from '../../pipelines/queue-connection.ts';
import { calibrationLine } from './candidates.ts';
import { FORCE_HELP } from '../../data/output-folder.ts';

export interface RunCommandOptions {
  data?: string;
  asOf?: number;
  resume?: string;
  out?: string;
  models: ModelKind[];
  seed: number;
  baseRate: number;
  generate?: number;
  shards: number;
  jobs: number;
  redis?: string;
  queue: string;
  backtest?: string;
  dataThrough?: string;
  rankBy?: RankBy;
  force?: boolean;
  rejected?: string;
  store?: string;
  s3Endpoint?: string;
}

export function addRunCommand(program: Command): void {
  program
    .command('run')
    .description('The whole backtest: history, features, models, scores, evaluation, candidate list and report, in this process or on queued workers (stages already made from the same data and settings are skipped).')
    .option('--data <dir>', 'folder with members, enrollment and claims')
    .option(
      '--as-of <year>',
      'the as-of year T: a year of the data (a backtest; T+1 too for incremental revenue), or the year after its last (the list for the coming year)',
      parseYearOption('--as-of'),
    )
    .option('--resume <run>', 'finish a stopped run, given its folder or (with --redis) its run key: settings from its flow.json, stages done are skipped; refused when the data changed since')
    .option('--out <dir>', 'run folder (default runs/run-<as-of>): new, empty or a run folder; another folder is refused, naming what would be overwritten')
    .option('--store <url>', 'keep the run in an S3 bucket instead of a folder, s3://BUCKET/PREFIX (instead of --out): workers then share nothing but Redis and the bucket; credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION', parseStoreUrl)
    .option('--s3-endpoint <url>', S3_ENDPOINT_HELP, parseS3Endpoint)
    .option('--force', FORCE_HELP)
    .option('--rejected <dir>', "folder for the input files' rejected rows, <table>.rejected.csv (default: the run folder); the --data folder is only read")
    .addOption(
      new Option('--models <kinds>', `comma-separated: ${MODEL_KINDS.join(', ')}; the first gives the candidate list and the report`)
        .argParser(parseModelKinds)
        .default([...DEFAULT_MODELS], DEFAULT_MODELS.join(',')),
    )
    .option('--seed <n>', 'random seed for the models', parseSeedOption('--seed'), 1)
    .option('--base-rate <dollars>', 'annual base rate per member (PMPM x 12)', parseDollarsOption('--base-rate'), DEMO_BASE_RATE_ANNUAL)
    .option('--generate <members>', 'when --data has no files, generate a plan first (2021-2025, seed 2021) with this many members in 2021 (rafcast generate --members: more join later)', parseCountOption('--generate'))
    .option('--shards <n>', 'split the members into this many shards for the per-member stages', parseCountOption('--shards'), 1)
    .option('--jobs <n>', 'in process: jobs at a time (the partition\'s pieces, shards, models), each in a child process, e.g. one per core', parseCountOption('--jobs'), 1)
    .option('--backtest <run>', 'the list for the coming year: a backtest run folder whose measured figures the report shows')
    .option('--data-through <date>', `${DATA_THROUGH_HELP}; the models train on features cut one year earlier`, parseDataThrough)
    .addOption(new Option('--rank-by <order>', "what orders the candidate list: probability (the first model's top 20%, the paper's list; the default) or dollars (the expected dollars of early documentation)").choices([...RANK_BY]))
    .option('--redis <url>', 'enqueue the flow on BullMQ at this Redis (redis://host:port) and follow it; rafcast worker processes run it', parseRedisUrl)
    .option('--queue <name>', 'with --redis: the BullMQ queue (several teams or tests can share one Redis)', parseQueueName, QUEUE)
    .addHelpText(
      'after',
      `
The flow: partition (the files checked once, in pieces of 500,000 rows, a job each, members split
into shards by the MD5 of their id),
history and features (a job per shard, then a merge), models (a chain per model, side by side:
train, scores by shard; and every member's expected dollars beside them), candidates (each model's
evaluation beside the list), report. With --as-of the year after the data's last
year (what a plan runs on January 1), it is the list for the coming year: the models are trained
at T-1 and score the members of T (the data's January enrollment of T when it has one, else the
members enrolled and alive on December 31 of T-1, counted and said), the candidate and outreach
lists are written with their expected dollars, no model is evaluated, and the report marks every
figure that needs T or T+1 "not yet known". Everything is written to the run folder;
the results are the same bytes for any number of shards, in process or on workers. Without
--redis every job runs here in flow order. A stage whose outputs exist and were made from the same
data files (their sizes and modification times, in <run folder>/made-from.json) and settings is
skipped, so rerunning resumes a stopped run; a stage made from other data or settings is made
again, with every stage after it. --resume keeps the run's settings and refuses when its data
changed since, naming the file. With --redis, start workers first (rafcast worker --redis URL)
on any machine that sees the run folder; a bar per stage follows the run, and the run key it
prints (also in <run folder>/queued-run.json) works with rafcast status and --resume.

What is known on the list's day: --data-through C (default January 1 of T) cuts the features, the
naive and analyst lists and the models to the claims received by C (received_date; a claim without
one counts as received on its thru_date, so files without received dates are cut by date of
service only). The models train on the features of T-1 cut at C minus one year, with the label
RAF_{T-1} as known on C. The backtest's labels (RAF_T) and every dollar come from the complete
history. A run folder keeps its cut-off: another cut-off needs another --out.

Examples:
  rafcast run --data runs/default --as-of 2024 --generate 20000
  rafcast run --data runs/default --as-of 2026 --backtest runs/default-2024 --out runs/default-2026
  rafcast run --data runs/synthetic --as-of 2024 --models logistic --shards 4 --out runs/logistic-2024
  rafcast run --data runs/synthetic --as-of 2024 --models gbdt,mlp,logistic --out runs/trees-first-2024
  rafcast run --data runs/synthetic --as-of 2024 --shards 4 --jobs 2 --out runs/two-cores
  rafcast run --data runs/default --as-of 2026 --data-through 2026-01-15 --out runs/list-2026-jan15
  rafcast run --data runs/synthetic --as-of 2024 --shards 8 --redis redis://127.0.0.1:6379 --out runs/queued
  rafcast run --resume runs/queued --redis redis://127.0.0.1:6379
  rafcast run --data runs/synthetic --as-of 2024 --out shared/reports/2024 --force
  rafcast run --data /read-only/plan --as-of 2024 --out runs/run-2024 --rejected runs/rejected-2024
  rafcast run --data runs/synthetic --as-of 2024 --shards 8 --redis redis://queue.internal:6379 --store s3://rafcast-runs/2024
  rafcast run --data runs/synthetic --as-of 2024 --store s3://runs/2024 --s3-endpoint http://127.0.0.1:9000

In an S3 bucket (--store): the data folder's files are uploaded to <store>/input/ when the run
starts, each job downloads what it reads to a private scratch folder (RAFCAST_SCRATCH, else the
system's temporary folder) and uploads what it writes, then publishes a small manifest: a file is
never seen half-written. Rejected rows go to <store>/rejected/.`,
    )
    .action((o: RunCommandOptions) => runAction(() => run(o), { onStop: () => stopHint(o) }));
}

/** What Ctrl-C on a run says: the stages done are kept, and how to finish it. */
function stopHint(o: RunCommandOptions): string {
  const folder = o.resume ?? o.out ?? o.store ?? (o.asOf !== undefined ? join('runs', `run-${o.asOf}`) : undefined);
  if (o.redis !== undefined) {
    return `stopped following the run; its jobs go on on the workers. Follow it again with: rafcast run --resume ${o.resume ?? folder ?? '<run folder>'} --redis ${o.redis}${o.queue === QUEUE ? '' : ` --queue ${o.queue}`}`;
  }
  return `the stages done are kept in ${folder ?? 'the run folder'}, the one running left no output and its temporary files are removed. Resume with: rafcast run --resume ${folder ?? '<run folder>'}`;
}

async function run(given: RunCommandOptions): Promise<void> {
  const started = performance.now();
  let o = given;
  useS3Endpoint(o.s3Endpoint);
  if (o.store !== undefined) {
    if (o.out !== undefined) throw new ConfigError('give --out (a folder) or --store (an S3 bucket), not both');
    o = { ...o, out: o.store };
  }
  if (o.redis !== undefined) await (await import('../../pipelines/queue-connection.ts')).requireRedis(o.redis);
  // An S3 store that cannot be used says so now (which store, and why), not in the first job.
  const storeOf = o.store ?? (o.resume?.startsWith('s3://') === true ? o.resume : undefined);
  if (storeOf !== undefined) await (await import('../../pipelines/run-store.ts')).requireStore(storeOf);
  if (o.resume !== undefined) {
    const { resumedSettings } = await import('../../pipelines/flow-status.ts');
    const r = await resumedSettings(o.resume, o.redis, o.queue);
    if (o.dataThrough !== undefined && o.dataThrough !== r.dataThrough) throw new ConfigError(`${o.resume} was run with data through ${r.dataThrough}: --resume keeps it`);
    o = { ...o, data: r.data, asOf: r.asOf, out: r.out, models: r.models, seed: r.seed, baseRate: r.annualBaseRate, shards: r.shards, dataThrough: r.dataThrough, generate: undefined };
    // The list's order is the run's own, unless given again.
    const { readFlowConfig } = await import('../../pipelines/jobs.ts');
    // And its backtest folder (the report of the list for the coming year), unless given again.
    const f = await readFlowConfig(r.out);
    o = { ...o, rankBy: o.rankBy ?? f.rankBy, backtest: o.backtest ?? f.backtest, rejected: o.rejected ?? f.rejectedDir };
  }
  if (o.data === undefined || o.asOf === undefined) throw new ConfigError('give --data and --as-of, or --resume with a run folder');
  const out = o.out ?? join('runs', `run-${o.asOf}`);
  const settings = {
    data: o.data,
    asOf: o.asOf,
    out,
    models: o.models,
    seed: o.seed,
    annualBaseRate: o.baseRate,
    shards: o.shards,
    ...(o.backtest !== undefined ? { backtest: o.backtest } : {}),
    ...(o.dataThrough !== undefined ? { dataThrough: o.dataThrough } : {}),
    ...(o.rankBy !== undefined ? { rankBy: o.rankBy } : {}),
    ...(o.resume !== undefined ? { resume: true } : {}),
    ...(o.force === true ? { force: true } : {}),
    ...(o.rejected !== undefined ? { rejected: o.rejected } : {}),
  };
  const first = o.models[0] ?? '';
  const remade = (why: string[]): void => void process.stderr.write(`${out} was made from other data or settings; the stages they reach are made again: ${why.join('; ')}\n`);
  if (o.redis !== undefined) {
    if (o.jobs !== 1) throw new ConfigError('--jobs is for runs in this process; with --redis, start more workers or give them --concurrency');
    const redis = o.redis;
    const [{ runQueued }, { stageBars }] = await Promise.all([import('../../pipelines/run-queued.ts'), import('../progress.ts')]);
    let bars: ReturnType<typeof stageBars> | undefined;
    let s: Awaited<ReturnType<typeof runQueued>>;
    try {
      s = await runQueued(settings, redis, {
        remade,
        enqueued: (runKey) => {
          process.stderr.write(`run ${runKey} enqueued; following it (also: rafcast status ${out} --redis ${redis}${o.queue === 'rafcast' ? '' : ` --queue ${o.queue}`})\n`);
          bars = stageBars();
        },
        poll: (states) => bars?.update(states),
      }, o.queue);
    } finally {
      bars?.stop();
    }
    await printSummary(s, first, started);
    return;
  }
  const { runPipeline } = await import('../../pipelines/run.ts');
  const s = await runPipeline(
    {
      ...settings,
      onRemade: remade,
      jobs: o.jobs,
      generateIfMissing: o.generate !== undefined ? { members: o.generate, firstYear: 2021, lastYear: 2025, seed: 2021 } : undefined,
    },
    (e) =>
      process.stderr.write(
        e.state === 'start' ? `${e.stage} (${e.detail}) ...\n` : e.state === 'skipped' ? `${e.stage} (${e.detail}): done before, skipped\n` : `${e.stage} (${e.detail}): ${e.seconds!.toFixed(1)} s\n`,
      ),
  );
  await printSummary(s, first, started);
}

/** What a finished run prints: the backtest's figures, or the list for the coming year's. */
async function printSummary(s: { evaluations: Record<string, Evaluation>; report: string; config: FlowConfig }, first: string, started: number): Promise<void> {
  const { flowCutoff, isComingYear } = await import('../../pipelines/jobs.ts');
  process.stdout.write(`data through ${flowCutoff(s.config)}: the features, lists and models saw the claims received by then\n`);
  if (isComingYear(s.config)) {
    process.stdout.write(`${[...(await comingYearLines(s.config)), `${((performance.now() - started) / 1000).toFixed(1)} s; the report: ${s.report}`].join('\n')}\n`);
    return;
  }
  process.stdout.write(`${[...runSummaryLines(s.evaluations, first, started, s.report), await candidatesLine(s.config.out)].join('\n')}\n`);
}

/** The list for the coming year in a few lines: the membership of T it rests on, its size and expected dollars. */
async function comingYearLines(c: FlowConfig): Promise<string[]> {
  const { parseCsvObjects } = await import('../../data/csv.ts');
  const { openRunStore } = await import('../../pipelines/run-store.ts');
  const e = c.asOfEnrollment;
  const store = openRunStore(c.out);
  const rows = parseCsvObjects(await store.readText('candidates/candidates.csv').finally(() => store.release()));
  const total = (col: string): string => dollars(rows.reduce((a, r) => a + Math.round(Number(r[col]) * 100), 0) / 100);
  return [
    e === undefined
      ? `members of ${c.asOf}: from the data's enrollment`
      : e.source === 'data'
        ? `members of ${c.asOf}: the data's enrollment of ${c.asOf}, ${e.members} members`
        : `members of ${c.asOf}: ${e.assumption} (${e.members} members)`,
    `the list for ${c.asOf}: ${rows.length} members; expected accelerated ${total('expected_accelerated')} (paid January-June of ${c.asOf + 1} instead of in the August lump sum), expected incremental ${total('expected_incremental')}; precision, AUC and the measured revenue not yet known (the data has no claims of ${c.asOf})`,
  ];
}

/** The candidate list's calibration total (candidates/calibration.csv), or why there is none. */
async function candidatesLine(out: string): Promise<string> {
  const { readCalibrationTotal } = await import('../../evaluation/candidate-calibration.ts');
  const { openRunStore } = await import('../../pipelines/run-store.ts');
  const store = openRunStore(out);
  // In an S3 store, the file is downloaded to the store's scratch folder first.
  const file = async (): Promise<string> => ((await store.has('candidates/calibration.csv')) ? store.read('candidates/calibration.csv') : join(out, 'candidates', 'calibration.csv'));
  const total = await file().then(readCalibrationTotal).finally(() => store.release());
  return total === null ? "backtest of the candidate list's expected dollars: not measurable (the history has no year after the as-of year)" : calibrationLine(total);
}
