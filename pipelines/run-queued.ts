// `rafcast run --redis`, `rafcast run --resume` and `rafcast status`, the producer's side of a
// queued run: the settings of a run to resume (its flow.json, found by run folder or run key), the
// flow enqueued on BullMQ and followed until the report is written, and each stage's state.
import { join } from 'node:path';
import { ConfigError } from '../data/errors.ts';
import type { Evaluation } from '../evaluation/evaluation-types.ts';
import { failureOf, flowStatus, followFlow, runFolderOf, type StageStatus } from './flow-status.ts';
import { readFlowConfig } from './jobs.ts';
import { connectionOf, enqueueFlow } from './queue.ts';
import { runKeyOf } from './run-keys.ts';
import { flowConfig, readEvaluations, type RunOptions } from './run.ts';

/** The settings a run was started with, which a resumed run keeps. */
export type ResumedSettings = Required<Pick<RunOptions, 'data' | 'asOf' | 'out' | 'models' | 'seed' | 'annualBaseRate' | 'shards'>>;

/**
 * The settings of a stopped run from its flow.json, given its run folder or, with `redis`, its run
 * key (looked up on that Redis).
 */
export async function resumedSettings(run: string, redis?: string): Promise<ResumedSettings> {
  const f = await readFlowConfig(await runFolderOf(run, redis !== undefined ? connectionOf(redis) : undefined));
  return { data: f.data, asOf: f.asOf, out: f.out, models: f.models, seed: f.seed, annualBaseRate: f.annualBaseRate, shards: f.shards };
}

export interface QueuedRunSummary {
  runKey: string;
  report: string;
  evaluations: Record<string, Evaluation>;
}

export interface QueuedRunEvents {
  /** The flow is on the queue under this run key. */
  enqueued?: (runKey: string) => void;
  /** Each stage's state, about twice a second until the report is done. */
  poll?: (states: StageStatus[]) => void;
}

/**
 * Enqueues the run's flow on the Redis at `redis` (workers started with `rafcast worker` run it),
 * follows it until the report is written, and reads each model's evaluation. Every enqueue has a
 * run key of its own; a resumed run's stages done before return at once.
 */
export async function runQueued(o: Omit<RunOptions, 'jobs' | 'generateIfMissing'>, redis: string, on: QueuedRunEvents = {}): Promise<QueuedRunSummary> {
  const connection = connectionOf(redis);
  const config = await flowConfig(o);
  const runKey = await enqueueFlow(config, connection);
  on.enqueued?.(runKey);
  await followFlow(runKey, connection, on.poll);
  return { runKey, report: join(o.out, 'report.html'), evaluations: await readEvaluations(o.out, o.models) };
}

export interface QueuedRunStatus {
  runKey: string;
  states: StageStatus[];
  /** The first job that failed for good and why, if one did. */
  failure: string | undefined;
}

/** Each stage's state of the run given by its folder or run key, on the Redis at `redis`. */
export async function queuedRunStatus(run: string, redis: string): Promise<QueuedRunStatus> {
  const runKey = runKeyOf(run);
  const connection = connectionOf(redis);
  const states = await flowStatus(runKey, connection);
  if (states.every((x) => x.state === 'unknown')) throw new ConfigError(`no run ${runKey} on ${redis}`);
  return { runKey, states, failure: await failureOf(runKey, connection) };
}
