// The run flow on BullMQ (issue 7), the producer's side: the stages enqueued as a chain (each the
// parent of the one before) under a new run key, and the flow node every job is added as (the
// workers' fan-outs use it too: worker.ts). Loads no processor: `rafcast run --redis` and
// `rafcast status` stay light.
import { FlowProducer, type ConnectionOptions, type FlowJob } from 'bullmq';
import { FLOW_STAGES, prepareFlow, type ChildJob, type FlowConfig, type JobData, type JobName } from './jobs.ts';
import { QUEUE, type QueueChoice } from './queue-connection.ts';
import { QUEUED_FILE, childJobId, newRunKey, stageJobId } from './run-keys.ts';
import { openRunStore } from './run-store.ts';

/** Every job's retry policy: transient failures (I/O, Redis) retry with backoff; a failure fails its parent. */
const JOB_OPTIONS = { attempts: 3, backoff: { type: 'exponential' as const, delay: 2000 }, failParentOnFailure: true };

/** A job of a BullMQ flow (FlowProducer.add), with the run's retry policy; BullMQ keeps finished jobs by default. */
export type FlowNode = FlowJob & { name: JobName; data: JobData };
export const flowNode = (queueName: string, name: JobName, data: JobData, jobId: string, children?: FlowNode[], priority?: number): FlowNode => ({
  name,
  queueName,
  data,
  opts: { ...JOB_OPTIONS, jobId, ...(priority !== undefined ? { priority } : {}) },
  children,
});

/** The job a fan-out's children are added under: its id, its queue's name and its qualified name (BullMQ's `job.queueQualifiedName`). */
export interface FanOutParent {
  id: string;
  queueName: string;
  queueQualifiedName: string;
}

/**
 * Adds a fan-out's children (each a tree: its own children run first) under the fan-out, on its
 * queue, with ids built from the parent's (`childJobId`). The workers call it from a fan-out's
 * first run; the Redis load bench adds a flow's children the same way.
 */
export async function addChildJobs(connection: ConnectionOptions, parent: FanOutParent, children: ChildJob[]): Promise<void> {
  const producer = new FlowProducer({ connection });
  try {
    const node = (child: ChildJob, parentId: string): FlowNode => {
      const jobId = childJobId(parentId, child.key);
      return flowNode(parent.queueName, child.name, child.data, jobId, child.children?.map((c) => node(c, jobId)), child.priority);
    };
    // All in one transaction, not a round trip per child; and a worker that dies midway leaves none.
    await producer.addBulk(
      children.map((child) => {
        const root = node(child, parent.id);
        return { ...root, opts: { ...root.opts, parent: { id: parent.id, queue: parent.queueQualifiedName } } };
      }),
    );
  } finally {
    await producer.close();
  }
}

/**
 * Enqueues the run's flow, a chain whose root is the report, under a new run key (`newRunKey`), so
 * that it never meets the jobs of an earlier run of the same folder. Stages already done from the
 * same data and settings return at once; those made from others were removed (jobs.ts
 * prepareFlow). The key is written to <out>/queued-run.json and returned.
 */
export async function enqueueFlow(
  c: FlowConfig,
  connection: ConnectionOptions,
  { queue = QUEUE, resume = false, force = false, onRemade }: QueueChoice & { resume?: boolean; force?: boolean; onRemade?: (why: string[]) => void } = {},
): Promise<string> {
  await prepareFlow(c, { resume, force, ...(onRemade !== undefined ? { onRemade } : {}) });
  const runKey = newRunKey(c.runId);
  const producer = new FlowProducer({ connection });
  try {
    // Each stage the parent of the one before it: BullMQ runs a parent once its children are done.
    let node: FlowNode | undefined;
    for (const stage of FLOW_STAGES) node = flowNode(queue, stage, { out: c.out }, stageJobId(runKey, stage), node ? [node] : undefined);
    await producer.add(node!);
    const store = openRunStore(c.out);
    try {
      await store.writeText(QUEUED_FILE, `${JSON.stringify({ runKey, stages: FLOW_STAGES }, null, 2)}\n`);
    } finally {
      await store.release();
    }
    return runKey;
  } finally {
    await producer.close();
  }
}
