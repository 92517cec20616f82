// Following a queued run (rafcast run --redis, rafcast status): each stage's BullMQ state and its
// jobs done, the first job that failed for good and why, and the run folder of a run key.
import { Queue, type ConnectionOptions, type Job } from 'bullmq';
import { ConfigError, RafcastError } from '../data/errors.ts';
import { FLOW_STAGES, flowCutoff, isFanOut, jobsUnder, readFlowConfig, type FlowConfig, type JobData, type JobName } from './jobs.ts';
import { QUEUE, connectionOf, type QueueChoice } from './queue-connection.ts';
import { runKeyOf, stageJobId } from './run-keys.ts';
import { openRunStore } from './run-store.ts';

type RunQueue = Queue<JobData, void, JobName>;
type RunJob = Job<JobData, void, JobName>;

const openQueue = (connection: ConnectionOptions, { queue = QUEUE }: QueueChoice): RunQueue => new Queue<JobData, void, JobName>(queue, { connection });

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

/** The jobs under a job (children, their children, ...) but those in `skip`: how many, and how many completed. */
async function descendants(queue: RunQueue, job: RunJob, skip: Set<string>): Promise<{ done: number; total: number }> {
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
export async function flowStatus(runKey: string, connection: ConnectionOptions, on: QueueChoice = {}): Promise<StageStatus[]> {
  const queue = openQueue(connection, on);
  try {
    const out: StageStatus[] = [];
    // The run's settings, when its folder is readable here: the job counts before the jobs exist.
    const first = await queue.getJob(stageJobId(runKey, FLOW_STAGES[0]));
    const c = first ? await readFlowConfig(first.data.out).catch(() => undefined) : undefined;
    // The stages' own jobs: a fan-out's count stops at them (its first dependency is the stage before).
    const stageIds = new Set(FLOW_STAGES.map((st) => stageJobId(runKey, st)));
    for (const [i, stage] of FLOW_STAGES.entries()) {
      const job = await queue.getJob(stageJobId(runKey, stage));
      const state = job ? await job.getState() : 'unknown';
      let done = state === 'completed' ? 1 : 0;
      let total = c ? jobsUnder(c, stage) : 1;
      if (job && isFanOut(stage)) {
        // Every job the stage added, however deep (a model's chain: train, scores, its shards,
        // evaluate), but not the stage before it, which is its first dependency.
        const under = await descendants(queue, job, stageIds);
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

/** Waits until the run's report job completes, calling `onPoll` with the states; a failed run throws its cause. */
export async function followFlow(runKey: string, connection: ConnectionOptions, onPoll: (states: StageStatus[]) => void = () => undefined, on: QueueChoice = {}): Promise<void> {
  for (;;) {
    const states = await flowStatus(runKey, connection, on);
    onPoll(states);
    if (states.some((s) => s.state === 'failed')) {
      const cause = (await failureOf(runKey, connection, on)) ?? 'a stage failed';
      throw new RafcastError('E_RUN_FAILED', `run ${runKey}: ${cause}`);
    }
    if (states.every((s) => s.state === 'unknown')) throw new ConfigError(`no run ${runKey} on this Redis`);
    if (states.at(-1)!.state === 'completed') return;
    await new Promise((r) => setTimeout(r, 500));
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
  const states = await flowStatus(runKey, connection, { queue });
  if (states.every((x) => x.state === 'unknown')) throw new ConfigError(`no run ${runKey} on ${redis}`);
  return { runKey, states, failure: await failureOf(runKey, connection, { queue }) };
}
