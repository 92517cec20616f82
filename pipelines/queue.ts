// The run flow on BullMQ (issue 7): the producer enqueues the stages as a chain (each the parent
// of the one before) under a new run key; workers run every job with the same processors as in
// process (processors.ts), the work itself in child processes (stage-process.ts). Fan-outs add
// their children while running and wait for them (BullMQ's step-job pattern), so shards and models
// run on any worker that sees the run folder.
import { FlowProducer, UnrecoverableError, WaitingChildrenError, Worker, type ConnectionOptions, type FlowJob } from 'bullmq';
import { ConfigError, RafcastError } from '../data/errors.ts';
import { FLOW_STAGES, isFanOut, prepareFlow, type ChildJob, type FlowConfig, type JobData, type JobName } from './jobs.ts';
import { processStage } from './processors.ts';
import { QUEUED_FILE, childJobId, newRunKey, stageJobId } from './run-keys.ts';
import { openRunStore } from './run-store.ts';
import { StageProcessPool } from './stage-process.ts';

/** The queue runs go on unless told otherwise (tests give each their own). */
export const QUEUE = 'rafcast';

/** Which queue a run's jobs are on. */
export interface QueueChoice {
  /** The BullMQ queue name (default `QUEUE`). */
  queue?: string;
}

export function connectionOf(url: string): ConnectionOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:') throw new ConfigError(`--redis must be a redis:// URL, found ${url}`);
  return { host: u.hostname, port: Number(u.port || 6379), db: Number(u.pathname.slice(1) || 0), maxRetriesPerRequest: null };
}

/** Every job's retry policy: transient failures (I/O, Redis) retry with backoff; a failure fails its parent. */
const JOB_OPTIONS = { attempts: 3, backoff: { type: 'exponential' as const, delay: 2000 }, failParentOnFailure: true };

/** A job of a BullMQ flow (FlowProducer.add), with the run's retry policy; BullMQ keeps finished jobs by default. */
type FlowNode = FlowJob & { name: JobName; data: JobData };
const flowNode = (queueName: string, name: JobName, data: JobData, jobId: string, children?: FlowNode[]): FlowNode => ({
  name,
  queueName,
  data,
  opts: { ...JOB_OPTIONS, jobId },
  children,
});

/**
 * Enqueues the run's flow, a chain whose root is the report, under a new run key (`newRunKey`), so
 * that it never meets the jobs of an earlier run of the same folder. Stages already done return at
 * once. The key is written to <out>/queued-run.json and returned.
 */
export async function enqueueFlow(c: FlowConfig, connection: ConnectionOptions, { queue = QUEUE }: QueueChoice = {}): Promise<string> {
  await prepareFlow(c);
  const runKey = newRunKey(c.runId);
  const producer = new FlowProducer({ connection });
  try {
    // Each stage the parent of the one before it: BullMQ runs a parent once its children are done.
    let node: FlowNode | undefined;
    for (const stage of FLOW_STAGES) node = flowNode(queue, stage, { out: c.out }, stageJobId(runKey, stage), node ? [node] : undefined);
    await producer.add(node!);
    await openRunStore(c.out).writeText(QUEUED_FILE, `${JSON.stringify({ runKey, stages: FLOW_STAGES }, null, 2)}\n`);
    return runKey;
  } finally {
    await producer.close();
  }
}

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
export function startWorker(connection: ConnectionOptions, opts: WorkerOptions = {}): Worker<JobData, void, JobName> {
  const concurrency = opts.concurrency ?? 1;
  const lockMs = opts.lockMs ?? 120_000;
  const pool = opts.isolate === false ? undefined : new StageProcessPool();
  const work = (name: JobName, data: JobData): Promise<void> => (pool ? pool.run(name, data) : processStage(name, data, async () => undefined));
  const worker = new Worker<JobData, void, JobName>(
    opts.queue ?? QUEUE,
    async (job, token) => {
      try {
        // A leaf job, or a fan-out whose children are done (its merge, or nothing).
        if (!isFanOut(job.name) || ('step' in job.data && job.data.step === 'waiting')) return await work(job.name, job.data);
        await processStage(job.name, job.data, async (children) => {
          const producer = new FlowProducer({ connection });
          try {
            // The children go on the parent's queue, under ids built from the parent's.
            const node = (child: ChildJob, parentId: string): FlowNode => {
              const jobId = childJobId(parentId, child.key);
              return flowNode(job.queueName, child.name, child.data, jobId, child.children?.map((c) => node(c, jobId)));
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
