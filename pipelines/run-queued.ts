// `rafcast run --redis`, the producer's side of a queued run: the flow enqueued on BullMQ and
// followed until the report is written, then each model's evaluation read. (A resumed run's
// settings and `rafcast status` are in flow-status.ts, which loads no processor.)
import type { Evaluation } from '../evaluation/evaluation-types.ts';
import { followFlow, type StageStatus } from './flow-status.ts';
import { isComingYear, readEvaluations, type FlowConfig } from './jobs.ts';
import { enqueueFlow } from './queue.ts';
import { QUEUE, connectionOf } from './queue-connection.ts';
import { flowConfig, type RunOptions } from './run.ts';
import { keyLocation } from './run-store.ts';

export interface QueuedRunSummary {
  runKey: string;
  report: string;
  evaluations: Record<string, Evaluation>;
  /** The run's settings (flow.json). */
  config: FlowConfig;
}

export interface QueuedRunEvents {
  /** Stages of the folder made from other data or settings are made again: what changed, in words. */
  remade?: (why: string[]) => void;
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
export async function runQueued(o: Omit<RunOptions, 'jobs' | 'generateIfMissing'>, redis: string, on: QueuedRunEvents = {}, queue = QUEUE): Promise<QueuedRunSummary> {
  const connection = connectionOf(redis);
  const config = await flowConfig(o);
  const runKey = await enqueueFlow(config, connection, { queue, resume: o.resume === true, force: o.force === true, ...(on.remade !== undefined ? { onRemade: on.remade } : {}) });
  on.enqueued?.(runKey);
  await followFlow(runKey, connection, on.poll, { queue });
  // The list for the coming year evaluates no model.
  return { runKey, report: keyLocation(config.out, 'report.html'), evaluations: isComingYear(config) ? {} : await readEvaluations(o.out, o.models), config };
}
