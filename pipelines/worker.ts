// The run flow on BullMQ, the workers' side: every job runs with the same processors as in process
// (processors.ts), the work itself in child processes (stage-process.ts). Fan-outs add their
// children while running and wait for them (BullMQ's step-job pattern), so shards and models run
// on any worker that sees the run folder.
import { UnrecoverableError, WaitingChildrenError, Worker, type ConnectionOptions } from 'bullmq';
import { RafcastError } from '../data/errors.ts';
import { isFanOut, type JobData, type JobName } from './jobs.ts';
import { processStage } from './processors.ts';
import { addChildJobs } from './queue.ts';
import { QUEUE, type QueueChoice } from './queue-connection.ts';
import { StageProcessPool, timed, type JobTiming } from './stage-process.ts';

export interface WorkerOptions extends QueueChoice {
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
export function startWorker(connection: ConnectionOptions, opts: WorkerOptions = {}): Worker<JobData, JobTiming | undefined, JobName> {
  const concurrency = opts.concurrency ?? 1;
  const lockMs = opts.lockMs ?? 120_000;
  const pool = opts.isolate === false ? undefined : new StageProcessPool();
  // What each job cost where it ran (its return value on Redis; flow-status.ts runJobTimings).
  const work = (name: JobName, data: JobData): Promise<JobTiming> => (pool ? pool.run(name, data) : timed(() => processStage(name, data, async () => undefined)));
  const worker = new Worker<JobData, JobTiming | undefined, JobName>(
    opts.queue ?? QUEUE,
    async (job, token) => {
      try {
        // A leaf job, or a fan-out whose children are done (its merge, or nothing).
        if (!isFanOut(job.name) || ('step' in job.data && job.data.step === 'waiting')) return await work(job.name, job.data);
        await processStage(job.name, job.data, async (children) => {
          // The children go on the parent's queue, under ids built from the parent's.
          await addChildJobs(connection, { id: job.id!, queueName: job.queueName, queueQualifiedName: job.queueQualifiedName }, children);
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
