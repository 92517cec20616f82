// Following a queued run (rafcast run --redis, rafcast status): each stage's BullMQ state and its
// jobs done, the first job that failed for good and why, and the run folder of a run key.
import { Queue, type ConnectionOptions, type Job } from 'bullmq';
import { ConfigError, RafcastError } from '../data/errors.ts';
import { FLOW_STAGES, flowCutoff, isFanOut, jobsUnder, readFlowConfig, type FlowConfig, type JobData, type JobName, type Stage } from './jobs.ts';
import { QUEUE, connectionOf, type QueueChoice } from './queue-connection.ts';
import { runKeyOf, stageJobId } from './run-keys.ts';
import type { JobTiming } from './stage-process.ts';
import type { ModelKind } from '../models/model-kinds.ts';
import { openRunStore } from './run-store.ts';

type RunQueue = Queue<JobData, JobTiming | undefined, JobName>;
type RunJob = Job<JobData, JobTiming | undefined, JobName>;

const openQueue = (connection: ConnectionOptions, { queue = QUEUE }: QueueChoice): RunQueue => new Queue<JobData, JobTiming | undefined, JobName>(queue, { connection });

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

/** A dependency key as BullMQ lists it (`<prefix>:<queue>:<id>`): its job id. */
const idOfKey = (k: string): string => k.slice(k.lastIndexOf(':') + 1);

/** Jobs done and in all. */
interface Counts {
  done: number;
  total: number;
}

/**
 * What a status poll learnt for good, kept from poll to poll (followFlow): the run's settings, and
 * the counts under each completed job. A completed job never changes, and BullMQ completes a parent
 * only after its children, so neither do the jobs under it.
 */
export interface StatusCache {
  config?: FlowConfig;
  under: Map<string, Counts>;
}
export const newStatusCache = (): StatusCache => ({ under: new Map() });

const sum = (xs: Counts[]): Counts => xs.reduce((a, b) => ({ done: a.done + b.done, total: a.total + b.total }), { done: 0, total: 0 });

/**
 * The jobs under a job (children, their children, ...) but those in `skip`: how many, and how
 * many completed, read from the dependency lists of the jobs that have children only: a child is
 * completed exactly when its parent lists it as processed (BullMQ moves it there as it completes
 * it). Which children have children of their own is asked of Redis in one pipeline (whether the
 * child's dependency keys exist), and siblings are walked side by side, so a poll costs a few round
 * trips per level of the tree and one cheap command per job, not three round trips per job.
 * `completed`: the job was seen completed before its list was read, so its counts are final.
 */
async function countUnder(queue: RunQueue, job: RunJob, completed: boolean, skip: Set<string>, cache: StatusCache): Promise<Counts> {
  const known = cache.under.get(job.id!);
  if (known !== undefined) return known;
  const deps = await job.getDependencies();
  const processed = Object.keys(deps.processed ?? {}).map(idOfKey).filter((id) => !skip.has(id));
  const others = [...(deps.unprocessed ?? []), ...(deps.failed ?? []), ...Object.keys(deps.ignored ?? {})].map(idOfKey).filter((id) => !skip.has(id));
  const children = [...processed.map((id) => ({ id, completed: true })), ...others.map((id) => ({ id, completed: false }))];
  const counts: Counts = { done: processed.length, total: children.length };
  // A completed child whose counts are known: nothing under it can change, no look-up.
  const open: typeof children = [];
  for (const c of children) {
    const under = c.completed ? cache.under.get(c.id) : undefined;
    if (under === undefined) open.push(c);
    else {
      counts.done += under.done;
      counts.total += under.total;
    }
  }
  // Which children have children: their dependency keys exist (the keys BullMQ's getDependencies reads).
  const client = await queue.getBackend().client;
  const pipeline = client.pipeline();
  for (const c of open) pipeline.runCommand('exists', ['dependencies', 'processed', 'failed', 'unsuccessful'].map((k) => queue.toKey(`${c.id}:${k}`)));
  const exists = open.length > 0 ? ((await pipeline.exec()) ?? []) : [];
  const below = await Promise.all(
    open.map(async (c, i): Promise<Counts> => {
      if (Number(exists[i]?.[1] ?? 0) === 0) {
        if (c.completed) cache.under.set(c.id, { done: 0, total: 0 });
        return { done: 0, total: 0 };
      }
      const child = await queue.getJob(c.id);
      return child === undefined ? { done: 0, total: 0 } : countUnder(queue, child, c.completed, skip, cache);
    }),
  );
  const all = sum([counts, ...below]);
  if (completed) cache.under.set(job.id!, all);
  return all;
}

/** Each stage's state and progress on an open queue, the stages looked up together. */
async function stageStates(queue: RunQueue, runKey: string, cache: StatusCache): Promise<StageStatus[]> {
  // The run's settings, when its folder is readable here: the job counts before the jobs exist.
  if (cache.config === undefined) {
    const first = await queue.getJob(stageJobId(runKey, FLOW_STAGES[0]));
    cache.config = first ? await readFlowConfig(first.data.out).catch(() => undefined) : undefined;
  }
  const c = cache.config;
  // The stages' own jobs: a fan-out's count stops at them (its first dependency is the stage before).
  const stageIds = new Set(FLOW_STAGES.map((st) => stageJobId(runKey, st)));
  const found = await Promise.all(
    FLOW_STAGES.map(async (stage): Promise<StageStatus> => {
      const id = stageJobId(runKey, stage);
      // A stage seen completed with its jobs counted: nothing there can change.
      const known = cache.under.get(id);
      const job = known === undefined ? await queue.getJob(id) : undefined;
      const state = known !== undefined ? 'completed' : job ? await job.getState() : 'unknown';
      let done = state === 'completed' ? 1 : 0;
      let total = c ? jobsUnder(c, stage) : 1;
      if (known !== undefined || (job && isFanOut(stage))) {
        // Every job the stage added, however deep (a model's chain: train, scores, its shards,
        // evaluate), but not the stage before it, which is its first dependency.
        const under = known ?? (await countUnder(queue, job!, state === 'completed', stageIds, cache));
        if (under.total > 0) {
          done = under.done;
          total = Math.max(total, under.total);
        }
      } else if (job && state === 'completed') cache.under.set(id, { done: 0, total: 0 });
      return { stage, state, done, total };
    }),
  );
  // A stage whose stage before it has not finished is waiting on the chain, not on jobs of its own.
  return found.map((s, i) => (s.state === 'waiting-children' && i > 0 && found[i - 1]!.state !== 'completed' ? { ...s, state: 'pending' } : s));
}

/** Each stage's state and progress, from Redis; `cache` (newStatusCache) carries what is final from one call to the next. */
export async function flowStatus(runKey: string, connection: ConnectionOptions, on: QueueChoice = {}, cache: StatusCache = newStatusCache()): Promise<StageStatus[]> {
  const queue = openQueue(connection, on);
  try {
    return await stageStates(queue, runKey, cache);
  } finally {
    await queue.close();
  }
}

/** What a job of a run cost (its timing, returned by the worker that ran it), with the stage it belongs to and what it worked on. */
export interface JobTimingRow extends JobTiming {
  stage: Stage;
  name: JobName;
  shard?: number;
  /** The piece of a file a partition-piece job checked (its table, its number in the plan). */
  piece?: { table: string; piece: number };
  model?: ModelKind;
  /** The network a train-network job trained (0 = the first). */
  network?: number;
  /** The merge a merge job made: its number in its stage's merges (jobs.ts mergesOf). */
  merge?: number;
}

/**
 * What each completed job of a queued run cost where it ran (wall and CPU seconds, peak resident
 * memory; pipelines/worker.ts returns them), found by walking each stage's jobs. A fan-out's row is its merge (its
 * first run only adds the jobs under it). No member ids: stages, job names, shards and models.
 */
export async function runJobTimings(runKey: string, connection: ConnectionOptions, on: QueueChoice = {}): Promise<JobTimingRow[]> {
  const queue = openQueue(connection, on);
  const stageIds = new Set(FLOW_STAGES.map((st) => stageJobId(runKey, st)));
  const rows: JobTimingRow[] = [];
  const visit = async (job: RunJob, stage: Stage): Promise<void> => {
    const t = job.returnvalue;
    if (t !== undefined && t !== null && typeof t.cpuSeconds === 'number') {
      const { data } = job;
      rows.push({ stage, name: job.name, ...('shard' in data ? { shard: data.shard } : {}), ...('piece' in data ? { piece: { table: data.table, piece: data.piece } } : {}), ...('model' in data ? { model: data.model } : {}), ...('network' in data ? { network: data.network } : {}), ...('merge' in data ? { merge: data.merge } : {}), wallSeconds: t.wallSeconds, cpuSeconds: t.cpuSeconds, ...(typeof t.peakRssMiB === 'number' ? { peakRssMiB: t.peakRssMiB } : {}) });
    }
    const deps = await job.getDependencies();
    const ids = [...Object.keys(deps.processed ?? {}), ...(deps.unprocessed ?? []), ...(deps.failed ?? []), ...Object.keys(deps.ignored ?? {})].map(idOfKey).filter((id) => !stageIds.has(id));
    const children = await Promise.all(ids.map((id) => queue.getJob(id)));
    await Promise.all(children.map((c) => (c === undefined ? undefined : visit(c, stage))));
  };
  try {
    for (const stage of FLOW_STAGES) {
      const job = await queue.getJob(stageJobId(runKey, stage));
      if (job !== undefined) await visit(job, stage);
    }
    return rows;
  } finally {
    await queue.close();
  }
}

/** The first job of the run that failed for good, and why (messages never carry member ids). */
export async function failureOf(runKey: string, connection: ConnectionOptions, on: QueueChoice = {}): Promise<string | undefined> {
  const queue = openQueue(connection, on);
  try {
    const failed = (await queue.getJobs(['failed'])).filter((j) => j.id?.startsWith(`${runKey}-`)).sort((a, b) => (a.finishedOn ?? 0) - (b.finishedOn ?? 0));
    const first = failed[0];
    if (first === undefined) return undefined;
    const { data } = first;
    const what = [first.name, 'model' in data ? data.model : undefined, 'shard' in data ? `shard ${data.shard}` : undefined].filter((x) => x !== undefined).join(' ');
    return `${what} failed after ${first.attemptsMade} attempt${first.attemptsMade === 1 ? '' : 's'}: ${first.failedReason}`;
  } finally {
    await queue.close();
  }
}

/** How long followFlow waits between polls: half a second, or ten times the last poll's cost, so that following a large run keeps Redis busy a tenth of the time at most. */
export const pollInterval = (lastPollMs: number): number => Math.max(500, 10 * lastPollMs);

/** Waits until the run's report job completes, calling `onPoll` with the states; a failed run throws its cause. */
export async function followFlow(runKey: string, connection: ConnectionOptions, onPoll: (states: StageStatus[]) => void = () => undefined, on: QueueChoice = {}): Promise<void> {
  const queue = openQueue(connection, on);
  // What is final is looked up once: later polls ask only about the jobs not yet completed.
  const cache = newStatusCache();
  try {
    for (;;) {
      const t0 = performance.now();
      const states = await stageStates(queue, runKey, cache);
      const cost = performance.now() - t0;
      onPoll(states);
      if (states.some((s) => s.state === 'failed')) {
        const cause = (await failureOf(runKey, connection, on)) ?? 'a stage failed';
        throw new RafcastError('E_RUN_FAILED', `run ${runKey}: ${cause}`);
      }
      if (states.every((s) => s.state === 'unknown')) throw new ConfigError(`no run ${runKey} on this Redis`);
      if (states.at(-1)!.state === 'completed') return;
      await new Promise((r) => setTimeout(r, pollInterval(cost)));
    }
  } finally {
    await queue.close();
  }
}

/** The run folder of a run given by its folder, or by its run key (looked up on Redis). */
export async function runFolderOf(folderOrKey: string, connection?: ConnectionOptions, on: QueueChoice = {}): Promise<string> {
  const store = openRunStore(folderOrKey);
  try {
    if (await store.has('flow.json')) return folderOrKey;
  } finally {
    await store.release();
  }
  if (connection !== undefined) {
    const queue = openQueue(connection, on);
    try {
      const job = await queue.getJob(stageJobId(folderOrKey, FLOW_STAGES[0]));
      if (job !== undefined) return job.data.out;
    } finally {
      await queue.close();
    }
  }
  throw new ConfigError(`${folderOrKey} is neither a run folder (with flow.json) nor a run key${connection ? ' on this Redis' : ' (give --redis to look keys up)'}`);
}

/** The settings a run was started with, which a resumed run keeps. */
export type ResumedSettings = Pick<FlowConfig, 'data' | 'asOf' | 'out' | 'models' | 'seed' | 'annualBaseRate' | 'shards'> & { dataThrough: string };

/**
 * The settings of a stopped run from its flow.json, given its run folder or, with `redis`, its run
 * key (looked up on that Redis).
 */
export async function resumedSettings(run: string, redis?: string, queue = QUEUE): Promise<ResumedSettings> {
  const f = await readFlowConfig(await runFolderOf(run, redis !== undefined ? connectionOf(redis) : undefined, { queue }));
  return { data: f.data, asOf: f.asOf, out: f.out, models: f.models, seed: f.seed, annualBaseRate: f.annualBaseRate, shards: f.shards, dataThrough: flowCutoff(f) };
}

export interface QueuedRunStatus {
  runKey: string;
  states: StageStatus[];
  /** The first job that failed for good and why, if one did. */
  failure: string | undefined;
}

/** Each stage's state of the run given by its folder or run key, on the Redis at `redis`. */
export async function queuedRunStatus(run: string, redis: string, queue = QUEUE): Promise<QueuedRunStatus> {
  const runKey = await runKeyOf(run);
  const connection = connectionOf(redis);
  // The failure is asked for beside the states: one wait on Redis, not two.
  const [states, failure] = await Promise.all([flowStatus(runKey, connection, { queue }), failureOf(runKey, connection, { queue })]);
  if (states.every((x) => x.state === 'unknown')) throw new ConfigError(`no run ${runKey} on ${redis}`);
  return { runKey, states, failure };
}
