// `rafcast run`, in process: the flow of jobs.ts (partition into shards, the risk score
// history shard by shard, a model per kind asked for, the evaluation against the naive and
// perfect-knowledge lists, the candidate list and the report) run job by job in this process, with
// the same processors as the queue's workers and the same outputs. A stage whose outputs are
// already in the run folder, made from the same data and settings (made-from.ts), is not run
// again, so a stopped run resumes where it stopped and a changed one is made again.
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { openDuckDb, sqlString } from '../data/duckdb.ts';
import { ConfigError } from '../data/errors.ts';
import { defaultCutoff, parseCutoff } from '../data/received-by.ts';
import type { ModelKind } from '../models/model-kinds.ts';
import type { Evaluation } from '../evaluation/evaluation-types.ts';
import type { RankBy } from '../evaluation/dollars-ranking.ts';
import { generatePopulation } from './generate-population.ts';
import { findDataFiles } from '../data/contract-files.ts';
import { readAsOfEnrollment, requireMembersAt, type AsOfEnrollment } from '../features/population.ts';
import { FLOW_STAGES, doneKeys, isComingYear, isDone, isFanOut, prepareFlow, readEvaluations, readFlowConfig, type AnyJob, type ChildJob, type FlowConfig, type Stage } from './jobs.ts';
import { processStage } from './processors.ts';
import { keyLocation, openRunStore } from './run-store.ts';
import { isStoreUrl } from './s3-run-store.ts';
import { storeKeys } from './run-keys.ts';
import { StageProcessPool } from './stage-process.ts';

export interface RunOptions {
  data: string;
  asOf: number;
  /** The run folder (default runs/run-<as-of>). */
  out: string;
  models: ModelKind[];
  seed: number;
  annualBaseRate: number;
  /** Shards of the per-member stages (default 1). */
  shards?: number;
  /** Jobs at a time (shards, models), each in a child process when more than 1 (default 1). */
  jobs?: number;
  /** The list for the coming year: a backtest run folder whose measured figures the report shows. */
  backtest?: string;
  /** The data cut-off at T (YYYY-MM-DD; default January 1 of T): the run sees only claims received by then. */
  dataThrough?: string;
  /** What orders the candidate list (default probability, the paper's list; evaluation/dollars-ranking.ts). */
  rankBy?: RankBy;
  /** Finishing a stopped run (--resume): refused when its data changed since it was made (jobs.ts prepareFlow). */
  resume?: boolean;
  /** Write into an --out folder that holds files rafcast did not write (--force; data/output-folder.ts). */
  force?: boolean;
  /** The folder for the input files' rejected rows (--rejected; default: the run folder). */
  rejected?: string;
  /** Stages of the folder made from other data or settings are made again: told what changed, in words. */
  onRemade?: (why: string[]) => void;
  /** Generate the data first when the folder has none: members and years. */
  generateIfMissing?: { members: number; firstYear: number; lastYear: number; seed: number };
}

export type StageName = 'generate' | (typeof FLOW_STAGES)[number];

export interface StageEvent {
  stage: StageName;
  detail: string;
  state: 'start' | 'done' | 'skipped';
  seconds?: number;
}

export interface RunSummary {
  out: string;
  report: string;
  evaluations: Record<string, Evaluation>;
  stages: StageEvent[];
  /** The run's settings as flow.json holds them (the as-of year's membership among them). */
  config: FlowConfig;
}

/**
 * The flow's configuration for these options: the history's years from the data's enrollment and
 * claims, and the membership of the as-of year. T may be a year the data holds, or the year after
 * its last year with claims (the list for the coming year, jobs.ts isComingYear): then the
 * membership of T is the data's January enrollment when it has one, else the assumption of
 * features/population.ts, counted.
 */
export async function flowConfig(o: RunOptions): Promise<FlowConfig> {
  const { enrollmentYears: years, claimYears, asOfEnrollment, files } = await dataYears(o.data, o.asOf);
  const lastClaimYear = claimYears[claimYears.length - 1]!;
  const last = Math.min(years[years.length - 1]!, lastClaimYear);
  if (!(years.includes(o.asOf) || o.asOf === last + 1)) {
    throw new ConfigError(`the data in ${o.data} has no enrollment in ${o.asOf}, and ${o.asOf} is not the year after its last year with claims (${last})`);
  }
  // The features of T and the training label RAF_{T-1} read the claims of T-1.
  if (!claimYears.includes(o.asOf - 1)) throw new ConfigError(`the claims in ${files.claims} have none with a date of service in ${o.asOf - 1}: the features of ${o.asOf} and the models' label RAF_${o.asOf - 1} read them`);
  requireMembersAt(asOfEnrollment.members, o.asOf, o.data);
  if (o.backtest !== undefined && !(o.asOf > last)) throw new ConfigError(`--backtest is for the list for the coming year (--as-of ${last + 1}), not for a backtest at ${o.asOf}`);
  if (o.backtest !== undefined) await readFlowConfig(o.backtest);
  const remote = isStoreUrl(o.out);
  // Rejected rows go to the run's store; a folder on whichever worker partitions would be lost to the others.
  if (remote && o.rejected !== undefined) throw new ConfigError(`--rejected is for runs in a folder: a run in ${o.out} keeps its rejected rows under ${keyLocation(o.out, storeKeys.rejected)}`);
  const dataThrough = parseCutoff(o.dataThrough ?? defaultCutoff(o.asOf));
  // The training features are cut a year earlier: a cut-off before T-1 begins leaves them nothing.
  if (dataThrough < `${o.asOf - 1}-01-01`) throw new ConfigError(`--data-through ${dataThrough} is before ${o.asOf - 1} begins: the features of ${o.asOf} read ${o.asOf - 1}`);
  return {
    // Job ids are built from it: letters, digits, '.', '_' and '-' only (BullMQ refuses ':').
    runId: (remote ? (o.out.replace(/\/+$/, '').split('/').pop() ?? 'run') : basename(resolve(o.out))).replace(/[^\w.-]/g, '_'),
    // Absolute: a worker started in another folder (or on another machine with the same mount) finds them.
    data: resolve(o.data),
    out: remote ? o.out.replace(/\/+$/, '') : resolve(o.out),
    asOf: o.asOf,
    shards: o.shards ?? 1,
    models: o.models,
    seed: o.seed,
    annualBaseRate: o.annualBaseRate,
    years: [years[0]!, last],
    dataThrough,
    asOfEnrollment,
    ...(o.backtest !== undefined ? { backtest: isStoreUrl(o.backtest) ? o.backtest : resolve(o.backtest) } : {}),
    ...(o.rankBy === 'dollars' ? { rankBy: o.rankBy } : {}),
    ...(o.rejected !== undefined ? { rejectedDir: resolve(o.rejected) } : {}),
    // Workers elsewhere read the data from the store (jobs.ts prepareFlow uploads it).
    ...(remote ? { input: storeKeys.input } : {}),
  };
}

/**
 * Every job of the flow in this process, in flow order (the embedded default: nothing to install
 * but Node), with the same processors as the queue's workers. A stage whose outputs exist, made
 * from these data and settings, is skipped, so running again resumes a stopped run.
 */
export async function runPipeline(o: RunOptions, onStage: (e: StageEvent) => void = () => undefined): Promise<RunSummary> {
  if (o.models.length === 0) throw new ConfigError('give at least one model');
  if (o.jobs !== undefined && !(Number.isInteger(o.jobs) && o.jobs >= 1)) throw new ConfigError(`--jobs must be a whole number of at least 1, found ${o.jobs}`);
  const events: StageEvent[] = [];
  const note = (e: StageEvent): void => {
    if (e.state !== 'start') events.push(e);
    onStage(e);
  };
  if (o.generateIfMissing && !existsSync(join(o.data, 'claims.parquet'))) {
    const g = o.generateIfMissing;
    note({ stage: 'generate', detail: `${g.members} members`, state: 'start' });
    const t0 = performance.now();
    await generatePopulation({ members: g.members, firstYear: g.firstYear, lastYear: g.lastYear, seed: g.seed, out: o.data });
    note({ stage: 'generate', detail: `${g.members} members`, state: 'done', seconds: (performance.now() - t0) / 1000 });
  }
  const c = await flowConfig(o);
  await prepareFlow(c, { resume: o.resume === true, force: o.force === true, ...(o.onRemade !== undefined ? { onRemade: o.onRemade } : {}) });
  for (const stage of FLOW_STAGES) {
    const shards = `${c.shards} shard${c.shards === 1 ? '' : 's'}`;
    const detail =
      stage === 'partition' || stage === 'history' || stage === 'features'
        ? shards
        : stage === 'models'
          ? `${c.models.join(', ')}: train, score (${shards}); the expected dollars; the list of ${c.models[0]}`
          : stage === 'candidates'
            ? isComingYear(c)
              ? 'no model to evaluate for the coming year'
              : `evaluate ${c.models.join(', ')}`
            : c.models.join(', ');
    const store = openRunStore(c.out);
    // A stage with nothing to make (the evaluations, for the coming year) is not "done before".
    const done = (await isDone(store, c, stage).finally(() => store.release())) && doneKeys(c, stage).length > 0;
    if (done) {
      note({ stage, detail, state: 'skipped' });
      continue;
    }
    note({ stage, detail, state: 'start' });
    const t0 = performance.now();
    await runStageInProcess(stage, c, o.jobs ?? 1);
    note({ stage, detail, state: 'done', seconds: (performance.now() - t0) / 1000 });
  }
  // The list for the coming year evaluates no model: nothing it would measure is known yet.
  const evaluations = isComingYear(c) ? {} : await readEvaluations(c.out, c.models);
  const store = openRunStore(c.out);
  try {
    await store.writeText('run-summary.json', `${JSON.stringify({ ...c, stages: events.map(({ stage, detail, state }) => ({ stage, detail, state })) }, null, 2)}\n`);
  } finally {
    await store.release();
  }
  return { out: o.out, report: keyLocation(c.out, storeKeys.report), evaluations, stages: events, config: c };
}

/**
 * At most n calls of the functions it is given at a time; the others wait their turn, as BullMQ
 * orders a queue's jobs: those without a priority first, then by priority (1 first), each in the
 * order they came.
 */
export function limiter(n: number): <T>(f: () => Promise<T>, priority?: number) => Promise<T> {
  let active = 0;
  const waiting: { rank: number; resolve: () => void }[] = [];
  return async (f, priority) => {
    if (active >= n) {
      await new Promise<void>((resolve) => {
        const rank = priority ?? 0;
        const at = waiting.findIndex((w) => w.rank > rank);
        waiting.splice(at < 0 ? waiting.length : at, 0, { rank, resolve });
      });
    }
    active++;
    try {
      return await f();
    } finally {
      active--;
      waiting.shift()?.resolve();
    }
  };
}

/**
 * One stage of the flow in this process. With `jobs` 1, every job runs here one after another;
 * with more, up to `jobs` of its jobs (shards, merges, models, their chains) run at once, each in a
 * child process as on a worker, and what a fan-out does after its jobs here. Each job still runs after its own children.
 */
export async function runStageInProcess(stage: Stage, c: FlowConfig, jobs = 1): Promise<void> {
  const pool = jobs > 1 ? new StageProcessPool() : undefined;
  const slot = limiter(jobs);
  const run = async (job: AnyJob & { children?: ChildJob[]; priority?: number }): Promise<void> => {
    // The job's own children first (a chain's link before it; a stage's shards before their merges).
    if (pool) await Promise.all((job.children ?? []).map(run));
    else for (const child of job.children ?? []) await run(child);
    if (isFanOut(job.name)) {
      await processStage(job.name, job.data, async (children) => {
        if (pool) await Promise.all(children.map(run));
        else for (const child of children) await run(child);
      });
    } else {
      await slot(async () => void (pool ? await pool.run(job.name, job.data) : await processStage(job.name, job.data, async () => undefined)), job.priority);
    }
  };
  try {
    await run({ name: stage, data: { out: c.out } });
  } finally {
    await pool?.close();
  }
}

/** The years the enrollment file covers and the claims' years of service (ascending), the membership of T, and the data's files. */
async function dataYears(data: string, asOf: number): Promise<{ enrollmentYears: number[]; claimYears: number[]; asOfEnrollment: AsOfEnrollment; files: ReturnType<typeof findDataFiles> }> {
  const files = findDataFiles(data);
  const reader = (file: string): string => (file.endsWith('.csv') ? `read_csv(${sqlString(file)})` : `read_parquet(${sqlString(file)})`);
  const db = await openDuckDb();
  try {
    const enrollmentYears = (await db.connection.runAndReadAll(`SELECT DISTINCT year::INTEGER AS y FROM ${reader(files.enrollment)} ORDER BY y`)).getRowObjectsJson().map((r) => Number(r.y));
    const claimYears = (await db.connection.runAndReadAll(`SELECT DISTINCT year(from_date::DATE)::INTEGER AS y FROM ${reader(files.claims)} WHERE from_date IS NOT NULL ORDER BY y`)).getRowObjectsJson().map((r) => Number(r.y));
    // Nothing to score: a run on a plan without claims (a header only) would train on nothing and
    // report dollars. Checked before the membership, which a header-only file cannot type.
    if (enrollmentYears.length === 0) throw new ConfigError(`the enrollment in ${files.enrollment} has no rows: there are no members to score`);
    if (claimYears.length === 0) throw new ConfigError(`the claims in ${files.claims} have no rows: there is nothing to score`);
    const asOfEnrollment = await readAsOfEnrollment(db.connection, { members: reader(files.members), enrollment: reader(files.enrollment) }, asOf);
    return { enrollmentYears, claimYears, asOfEnrollment, files };
  } finally {
    db.close();
  }
}
