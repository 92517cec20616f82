// The backtest as one BullMQ flow (issue 7): a chain partition (the files checked once, members
// split into shards) -> history (a job per shard, then a merge) -> features (the same) -> models
// (a chain per model, side by side: train -> scores, a job per shard then a merge -> evaluate)
// -> candidates -> report. Fan-outs add their children while running and wait for them (BullMQ's
// step-job pattern), so shards and models run on any worker that sees the run folder. Jobs carry
// references (run folder, shard, model), never data; stages exchange files through the run store
// (run-store.ts). Each processor is the function the matching command calls, writing its outputs
// atomically: rerunning a job replaces them with the same bytes.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FlowProducer, Queue, UnrecoverableError, WaitingChildrenError, Worker, type ConnectionOptions, type FlowJob, type Job } from 'bullmq';
import { ConfigError, RafcastError } from '../data/errors.ts';
import type { ModelKind } from '../models/classifier.ts';
import { writeReport } from '../evaluation/report.ts';
import { buildFeatures } from '../features/build-features.ts';
import { writeCandidates } from '../evaluation/candidates.ts';
import { evaluateRun } from '../evaluation/evaluate-run.ts';
import { computeHistory } from '../scoring/history/compute-history.ts';
import { mergeScores, predictRun, trainRun } from '../models/model-run.ts';
import { mergeShardFiles, partitionData, shardDir } from './shards.ts';
import { StageProcessPool } from './stage-process.ts';
import { openRunStore, type RunStore } from './run-store.ts';

export const QUEUE = 'rafcast';

/** What every job of a run refers to: written once to <out>/flow.json. */
export interface FlowConfig {
  runId: string;
  data: string;
  out: string;
  asOf: number;
  shards: number;
  models: ModelKind[];
  seed: number;
  annualBaseRate: number;
  years: [number, number];
}

export interface JobData {
  /** The run folder: the processor reads flow.json from it. */
  out: string;
  shard?: number;
  model?: ModelKind;
  /** Fan-out jobs: set once their children are added. */
  step?: 'waiting';
}

export function connectionOf(url: string): ConnectionOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:') throw new ConfigError(`--redis must be a redis:// URL, found ${url}`);
  return { host: u.hostname, port: Number(u.port || 6379), db: Number(u.pathname.slice(1) || 0), maxRetriesPerRequest: null };
}

/** Run store keys of the files the stages exchange. */
const key = {
  shards: 'shards',
  shard: (k: number): string => shardDir('shards', k),
  history: 'history',
  features: (asOf: number): string => `features/features_${asOf}.parquet`,
  model: (m: ModelKind): string => `models/${m}`,
  scores: (m: ModelKind): string => `scores/${m}.parquet`,
  evaluation: (m: ModelKind): string => `evaluation/${m}`,
  candidates: 'candidates',
  report: 'report.html',
};

async function readConfig(store: RunStore): Promise<FlowConfig> {
  if (!(await store.has('flow.json'))) {
    // Most likely a worker on a machine without the run folder mounted: another worker may see it,
    // so the job is retried rather than failing the run.
    throw new RafcastError(
      'E_CONFIG',
      `this worker cannot see the run folder ${store.location} (no flow.json there): run workers where the run folder is mounted at the same path`,
      false,
    );
  }
  return JSON.parse(await store.readText('flow.json')) as FlowConfig;
}

/**
 * A job a fan-out adds: `key` names it under its parent (job id `<parent id>-<key>`); its own
 * `children` run before it (a chain, as BullMQ runs a flow's tree: children first).
 */
export interface ChildJob {
  name: string;
  key: string;
  data: JobData;
  children?: ChildJob[];
}

/** Runs one job; `fanOut` adds children and waits for them (BullMQ), or runs them here (in process). */
export async function processStage(name: string, data: JobData, fanOut: (children: ChildJob[]) => Promise<void>): Promise<void> {
  const store = openRunStore(data.out);
  const c = await readConfig(store);
  // A stage whose outputs are all there was done before (a resumed run): nothing to do again.
  if (isStage(name) && (await isDone(store, c, name))) return;
  if (data.model !== undefined && name in MODEL_JOB_DONE && (await store.has(MODEL_JOB_DONE[name]!(data.model)))) return;
  const shardKeys = Array.from({ length: c.shards }, (_, k) => key.shard(k));
  const inShards = (rel: string): Promise<string[]> => Promise.all(shardKeys.map((s) => store.read(join(s, rel))));
  const T = c.asOf;
  switch (name) {
    case 'partition':
      await partitionData(c.data, await store.writable(key.shards), c.shards);
      await store.commit(key.shards);
      return;
    case 'history': {
      await fanOut(shardKeys.map((_, k) => ({ name: 'history-shard', key: String(k), data: { out: c.out, shard: k } })));
      const out = await store.writable(key.history);
      await mkdir(out, { recursive: true, mode: 0o700 });
      await mergeShardFiles(await inShards('history/raf_history.parquet'), join(out, 'raf_history.parquet'), 'member_id, year');
      await mergeShardFiles(await inShards('history/raf_hcc.parquet'), join(out, 'raf_hcc.parquet'), 'member_id, year, model, hcc');
      await store.commit(key.history);
      return;
    }
    case 'history-shard': {
      const shard = shardKeys[data.shard!]!;
      const dir = await store.read(shard);
      const out = await store.writable(join(shard, 'history'));
      await computeHistory({ data: dir, checked: true, firstYear: c.years[0], lastYear: c.years[1], out, annualBaseRate: c.annualBaseRate });
      await store.commit(join(shard, 'history'));
      return;
    }
    case 'features':
      await fanOut(shardKeys.map((_, k) => ({ name: 'features-shard', key: String(k), data: { out: c.out, shard: k } })));
      for (const y of [T - 1, T]) {
        await mergeShardFiles(await inShards(key.features(y)), await store.writable(key.features(y)), 'member_id');
        await store.commit(key.features(y));
      }
      return;
    case 'features-shard': {
      const shard = shardKeys[data.shard!]!;
      const dir = await store.read(shard);
      for (const y of [T - 1, T]) {
        // Recapture rates are a population figure: from the whole plan's history, not the shard's.
        const out = join(shard, key.features(y));
        await buildFeatures({ data: dir, history: await store.read(join(shard, 'history')), recaptureFrom: await store.read(key.history), checked: [dir], asOf: y, out: await store.writable(out) });
        await store.commit(out);
      }
      return;
    }
    case 'models':
      // A chain per model, the models side by side: train -> scores (a job per shard, then the
      // merge) -> evaluate. A quick model's scores and evaluation run while a slow one trains.
      await fanOut(
        c.models.map((model) => {
          const data = { out: c.out, model };
          const train: ChildJob = { name: 'train', key: 'train', data };
          return { name: 'evaluate-model', key: model, data, children: [{ name: 'scores', key: 'scores', data, children: [train] }] };
        }),
      );
      return;
    case 'train':
      await trainRun({
        data: c.data,
        history: await store.read(key.history),
        features: { [T - 1]: await store.read(key.features(T - 1)), [T]: await store.read(key.features(T)) },
        asOf: T,
        model: data.model!,
        seed: c.seed,
        out: await store.writable(key.model(data.model!)),
      });
      await store.commit(key.model(data.model!));
      return;
    case 'scores': {
      const m = data.model!;
      await fanOut(shardKeys.map((_, k) => ({ name: 'predict-shard', key: String(k), data: { out: c.out, model: m, shard: k } })));
      await mergeScores(await inShards(key.scores(m)), await store.writable(key.scores(m)));
      await store.commit(key.scores(m));
      return;
    }
    case 'predict-shard': {
      const shard = shardKeys[data.shard!]!;
      const out = join(shard, key.scores(data.model!));
      await predictRun({
        run: await store.read(key.model(data.model!)),
        asOf: T,
        data: await store.read(shard),
        history: await store.read(join(shard, 'history')),
        features: await store.read(join(shard, key.features(T))),
        out: await store.writable(out),
      });
      await store.commit(out);
      return;
    }
    case 'evaluate-model': {
      const m = data.model!;
      await evaluateRun({
        run: await store.read(key.model(m)),
        asOf: T,
        out: await store.writable(key.evaluation(m)),
        annualBaseRate: c.annualBaseRate,
        data: c.data,
        history: await store.read(key.history),
        features: await store.read(key.features(T)),
        scores: await store.read(key.scores(m)),
      });
      await store.commit(key.evaluation(m));
      return;
    }
    case 'candidates': {
      const m = c.models[0]!;
      await writeCandidates({
        run: await store.read(key.model(m)),
        asOf: T,
        top: 0.2,
        out: await store.writable(key.candidates),
        annualBaseRate: c.annualBaseRate,
        data: c.data,
        history: await store.read(key.history),
        features: await store.read(key.features(T)),
        scores: await store.read(key.scores(m)),
        checked: await Promise.all(shardKeys.map((s) => store.read(s))),
      });
      await store.commit(key.candidates);
      return;
    }
    case 'report':
      await writeReport(await store.read(key.evaluation(c.models[0]!)), await store.writable(key.report), await store.read(key.candidates));
      await store.commit(key.report);
      return;
    default:
      throw new ConfigError(`unknown job ${name}`);
  }
}

/** The stages in flow order (the chain's leaves first). */
export const FLOW_STAGES = ['partition', 'history', 'features', 'models', 'candidates', 'report'] as const;

/** The key that shows a job of a model's chain is done (a resumed run skips it). */
const MODEL_JOB_DONE: Record<string, (m: ModelKind) => string> = {
  train: (m) => join(key.model(m), 'run.json'),
  scores: (m) => key.scores(m),
  'evaluate-model': (m) => join(key.evaluation(m), 'evaluation.json'),
};

type Stage = (typeof FLOW_STAGES)[number];
const isStage = (name: string): name is Stage => (FLOW_STAGES as readonly string[]).includes(name);

/** The keys whose presence shows a stage is done (the last each stage writes). */
export function doneKeys(c: FlowConfig, stage: Stage): string[] {
  switch (stage) {
    case 'partition':
      return Array.from({ length: c.shards }, (_, k) => join(key.shard(k), 'claims.parquet'));
    case 'history':
      return [join(key.history, 'raf_history.parquet'), join(key.history, 'raf_hcc.parquet')];
    case 'features':
      return [key.features(c.asOf - 1), key.features(c.asOf)];
    case 'models':
      return c.models.flatMap((m) => Object.values(MODEL_JOB_DONE).map((f) => f(m)));
    case 'candidates':
      return [join(key.candidates, 'outreach.csv')];
    case 'report':
      return [key.report];
  }
}

/** True when every output of the stage is in the run's store. */
export async function isDone(store: RunStore, c: FlowConfig, stage: Stage): Promise<boolean> {
  for (const k of doneKeys(c, stage)) if (!(await store.has(k))) return false;
  return true;
}

/** Writes flow.json for a run. */
export async function prepareFlow(c: FlowConfig): Promise<void> {
  if (c.models.length === 0) throw new ConfigError('give at least one model');
  await openRunStore(c.out).writeText('flow.json', `${JSON.stringify(c, null, 2)}\n`);
}

/** At most n calls of the functions it is given at a time; the others wait their turn. */
function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (f) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await f();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * One stage of the flow in this process. With `jobs` 1, every job runs here one after another;
 * with more, up to `jobs` of its jobs (shards, models, their chains) run at once, each in a child
 * process as on a worker, and the fan-outs' merges here. Each job still runs after its own children.
 */
export async function runStageInProcess(stage: string, c: FlowConfig, jobs = 1): Promise<void> {
  const pool = jobs > 1 ? new StageProcessPool() : undefined;
  const slot = limiter(jobs);
  const run = async (job: { name: string; data: JobData; children?: ChildJob[] }): Promise<void> => {
    for (const child of job.children ?? []) await run(child);
    if (FAN_OUTS.has(job.name)) {
      await processStage(job.name, job.data, async (children) => {
        if (pool) await Promise.all(children.map(run));
        else for (const child of children) await run(child);
      });
    } else {
      await slot(() => (pool ? pool.run(job.name, job.data) : processStage(job.name, job.data, async () => undefined)));
    }
  };
  try {
    await run({ name: stage, data: { out: c.out } });
  } finally {
    await pool?.close();
  }
}

/** Reads the flow of an existing run folder (rafcast run --resume). */
export async function readFlowConfig(out: string): Promise<FlowConfig> {
  const store = openRunStore(out);
  if (!(await store.has('flow.json'))) throw new ConfigError(`${out} is not a run folder: flow.json is missing`);
  return readConfig(store);
}

/** Every job's retry policy: transient failures (I/O, Redis) retry with backoff; a failure fails its parent. */
const JOB_OPTIONS = { attempts: 3, backoff: { type: 'exponential' as const, delay: 2000 }, failParentOnFailure: true };

/** A job of a BullMQ flow (FlowProducer.add), with the run's retry policy; BullMQ keeps finished jobs by default. */
type FlowNode = FlowJob & { data: JobData };
const flowNode = (name: string, data: JobData, jobId: string, children?: FlowNode[]): FlowNode => ({
  name,
  queueName: QUEUE,
  data,
  opts: { ...JOB_OPTIONS, jobId },
  children,
});

/** Where a queued run's key is kept in its folder (rafcast status <run folder>). */
const QUEUED_FILE = 'queued-run.json';

/**
 * Enqueues the run's flow, a chain whose root is the report, under a new run key: the run folder's
 * name and the time, so that a second run of the same folder (a resume, or a fresh start after
 * deleting it) or another folder of the same name never meets the jobs of an earlier one. Stages
 * already done return at once. The key is written to <out>/queued-run.json and returned.
 */
export async function enqueueFlow(c: FlowConfig, connection: ConnectionOptions): Promise<string> {
  await prepareFlow(c);
  const runKey = `${c.runId}-${Date.now().toString(36)}`;
  const producer = new FlowProducer({ connection });
  try {
    // Each stage the parent of the one before it: BullMQ runs a parent once its children are done.
    let node: FlowNode | undefined;
    for (const stage of FLOW_STAGES) node = flowNode(stage, { out: c.out }, `${runKey}-${stage}`, node ? [node] : undefined);
    await producer.add(node!);
    await openRunStore(c.out).writeText(QUEUED_FILE, `${JSON.stringify({ runKey, stages: FLOW_STAGES }, null, 2)}\n`);
    return runKey;
  } finally {
    await producer.close();
  }
}

/** The run folder of a run given by its folder, or by its run key (looked up on Redis). */
export async function runFolderOf(folderOrKey: string, connection?: ConnectionOptions): Promise<string> {
  if (existsSync(join(folderOrKey, 'flow.json'))) return folderOrKey;
  if (connection !== undefined) {
    const queue = new Queue(QUEUE, { connection });
    try {
      const job = await queue.getJob(`${folderOrKey}-${FLOW_STAGES[0]}`);
      if (job !== undefined) return job.data.out;
    } finally {
      await queue.close();
    }
  }
  throw new ConfigError(`${folderOrKey} is neither a run folder (with flow.json) nor a run key${connection ? ' on this Redis' : ' (give --redis to look keys up)'}`);
}

/** A run key as given, or the key of the run folder given instead (its queued-run.json). */
export function runKeyOf(idOrFolder: string): string {
  const file = join(idOrFolder, QUEUED_FILE);
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { runKey: string }).runKey;
  return idOrFolder;
}

/** The jobs that add children (the fan-outs); every other job does its work itself. */
const FAN_OUTS = new Set(['history', 'features', 'models', 'scores']);

export interface WorkerOptions {
  concurrency?: number;
  /** A job held this long by a worker that stopped answering goes to another worker. */
  lockMs?: number;
  /** Run jobs in child processes (default), or in the worker's own process. */
  isolate?: boolean;
}

/**
 * A worker for every stage. Fan-out jobs add their children and wait (BullMQ's step-job pattern);
 * the work itself (a shard, a model, a merge) runs in a child process of this worker, one per
 * job at a time, so `concurrency` jobs use as many cores.
 */
export function startWorker(connection: ConnectionOptions, opts: WorkerOptions = {}): Worker {
  const concurrency = opts.concurrency ?? 1;
  const lockMs = opts.lockMs ?? 120_000;
  const pool = opts.isolate === false ? undefined : new StageProcessPool();
  const work = (name: string, data: JobData): Promise<void> => (pool ? pool.run(name, data) : processStage(name, data, async () => undefined));
  const worker = new Worker(
    QUEUE,
    async (job: Job<JobData>, token?: string) => {
      try {
        // A leaf job, or a fan-out whose children are done (its merge, or nothing).
        if (!FAN_OUTS.has(job.name) || job.data.step === 'waiting') return await work(job.name, job.data);
        await processStage(job.name, job.data, async (children) => {
          const producer = new FlowProducer({ connection });
          try {
            const node = (child: ChildJob, parentId: string): FlowNode => {
              const jobId = `${parentId}-${child.key}`;
              return flowNode(child.name, child.data, jobId, child.children?.map((c) => node(c, jobId)));
            };
            for (const child of children) {
              const root = node(child, job.id!);
              await producer.add({ ...root, opts: { ...root.opts, parent: { id: job.id!, queue: job.queueQualifiedName } } });
            }
          } finally {
            await producer.close();
          }
          await job.updateData({ ...job.data, step: 'waiting' });
          if (await job.moveToWaitingChildren(token!)) throw new WaitingChildrenError();
        });
      } catch (e) {
        // Bad data and bad configuration cannot get better by retrying.
        if (e instanceof RafcastError && e.unrecoverable) throw new UnrecoverableError(`${e.code}: ${e.message}`);
        throw e;
      }
    },
    // A worker that dies loses its lock after lockMs; another then takes the job (stalled-job recovery).
    { connection, concurrency, lockDuration: lockMs, stalledInterval: Math.max(1000, Math.round(lockMs / 2)) },
  );
  worker.on('closed', () => void pool?.close());
  return worker;
}

export interface StageStatus {
  stage: string;
  /**
   * BullMQ's state of the stage's job ('unknown' when Redis has no such job), or 'pending' while
   * the stage before it has not finished.
   */
  state: string;
  /** Jobs of the stage done and in all: its shards or models for a fan-out, else 0 or 1 of 1. */
  done: number;
  total: number;
}

/** The jobs a stage runs: its shards, a chain per model (train, scores and a job per shard, evaluate), or itself. */
function jobsUnder(c: FlowConfig, stage: Stage): number {
  if (stage === 'history' || stage === 'features') return c.shards;
  if (stage === 'models') return c.models.length * (3 + c.shards);
  return 1;
}

/** The jobs under a job (children, their children, ...) but those in `skip`: how many, and how many completed. */
async function descendants(queue: Queue, job: Job, skip: Set<string>): Promise<{ done: number; total: number }> {
  const deps = await job.getDependencies();
  const keys = [...Object.keys(deps.processed ?? {}), ...(deps.unprocessed ?? []), ...(deps.failed ?? []), ...Object.keys(deps.ignored ?? {})];
  let done = 0;
  let total = 0;
  for (const k of keys) {
    const id = k.slice(k.lastIndexOf(':') + 1);
    if (skip.has(id)) continue;
    const child = await queue.getJob(id);
    if (child === undefined) continue;
    total += 1;
    if ((await child.getState()) === 'completed') done += 1;
    const under = await descendants(queue, child, skip);
    done += under.done;
    total += under.total;
  }
  return { done, total };
}

/** Each stage's state and progress, from Redis. */
export async function flowStatus(runKey: string, connection: ConnectionOptions): Promise<StageStatus[]> {
  const queue = new Queue(QUEUE, { connection });
  try {
    const out: StageStatus[] = [];
    // The run's settings, when its folder is readable here: the job counts before the jobs exist.
    const first = await queue.getJob(`${runKey}-${FLOW_STAGES[0]}`);
    const c = first ? await readFlowConfig(first.data.out).catch(() => undefined) : undefined;
    for (const [i, stage] of FLOW_STAGES.entries()) {
      const job = await queue.getJob(`${runKey}-${stage}`);
      const state = job ? await job.getState() : 'unknown';
      let done = state === 'completed' ? 1 : 0;
      let total = c ? jobsUnder(c, stage) : 1;
      if (job && FAN_OUTS.has(stage)) {
        // Every job the stage added, however deep (a model's chain: train, scores, its shards,
        // evaluate), but not the stage before it, which is its first dependency.
        const skip = new Set(FLOW_STAGES.map((st) => `${runKey}-${st}`));
        const under = await descendants(queue, job, skip);
        if (under.total > 0) {
          done = under.done;
          total = Math.max(total, under.total);
        }
      }
      // A stage whose stage before it has not finished is waiting on the chain, not on jobs of its own.
      const shown = state === 'waiting-children' && i > 0 && out[i - 1]!.state !== 'completed' ? 'pending' : state;
      out.push({ stage, state: shown, done, total });
    }
    return out;
  } finally {
    await queue.close();
  }
}

/** The first job of the run that failed for good, and why (messages never carry member ids). */
export async function failureOf(runKey: string, connection: ConnectionOptions): Promise<string | undefined> {
  const queue = new Queue(QUEUE, { connection });
  try {
    const failed = (await queue.getJobs(['failed'])).filter((j) => j.id?.startsWith(`${runKey}-`)).sort((a, b) => (a.finishedOn ?? 0) - (b.finishedOn ?? 0));
    const first = failed[0];
    if (first === undefined) return undefined;
    const what = [first.name, first.data.model, first.data.shard !== undefined ? `shard ${first.data.shard}` : undefined].filter((x) => x !== undefined).join(' ');
    return `${what} failed after ${first.attemptsMade} attempt${first.attemptsMade === 1 ? '' : 's'}: ${first.failedReason}`;
  } finally {
    await queue.close();
  }
}

/** Waits until the run's report job completes, calling `onPoll` with the states; a failed run throws its cause. */
export async function followFlow(runKey: string, connection: ConnectionOptions, onPoll: (states: StageStatus[]) => void = () => undefined): Promise<void> {
  for (;;) {
    const states = await flowStatus(runKey, connection);
    onPoll(states);
    if (states.some((s) => s.state === 'failed')) {
      const cause = (await failureOf(runKey, connection)) ?? 'a stage failed';
      throw new RafcastError('E_RUN_FAILED', `run ${runKey}: ${cause}`);
    }
    if (states.every((s) => s.state === 'unknown')) throw new ConfigError(`no run ${runKey} on this Redis`);
    if (states.at(-1)!.state === 'completed') return;
    await new Promise((r) => setTimeout(r, 500));
  }
}
