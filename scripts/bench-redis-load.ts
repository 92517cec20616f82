// The bench's `redis-load` step (issue 20): what a flow of n shards puts on Redis and what
// `rafcast status` costs on it. A tiny generated plan (the jobs carry references only, so the
// plan's size does not change the load) is enqueued with n shards, rafcast run's models (boosted trees, MLP, logistic), against a
// Redis started here; no job runs: the fan-outs' children are added as a worker's fan-outs add
// them (pipelines/queue.ts addChildJobs, from the processors' own lists), so the job count is the
// run's (6 stages, n history and n features shards and each stage's merges, per model its networks,
// train, scores and n predict shards, the expected dollars, per model an evaluation, the list). Prints the job count, Redis's used_memory before and after, the enqueue time,
// and the status call's cost (queuedRunStatus, what `rafcast status` does after it starts).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { generatePopulation } from '../pipelines/generate-population.ts';
import { queuedRunStatus } from '../pipelines/flow-status.ts';
import type { ChildJob, FanOutName, JobData, JobName } from '../pipelines/jobs.ts';
import { processStage } from '../pipelines/processors.ts';
import { addChildJobs, enqueueFlow } from '../pipelines/queue.ts';
import { QUEUE, connectionOf } from '../pipelines/queue-connection.ts';
import { childJobId, stageJobId } from '../pipelines/run-keys.ts';
import { flowConfig } from '../pipelines/run.ts';
import { DEFAULT_MODELS, modelsInWords } from '../models/model-kinds.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { startBenchRedis } from './bench-queued.ts';

/** Thrown by the bench's fan-out once the children are added: the merge after them does not run. */
class ChildrenAdded extends Error {}

const usedMemory = async (redis: Redis): Promise<number> => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export async function benchRedisLoad(shards: number, dir: string, calls = 20): Promise<void> {
  const data = join(dir, 'redis-load-plan');
  if (!existsSync(join(data, 'claims.parquet'))) await generatePopulation({ members: 300, firstYear: 2021, lastYear: 2025, seed: 2021, out: data });
  const out = join(dir, `redis-load-${shards}`);
  rmSync(out, { recursive: true, force: true });
  const redis = await startBenchRedis();
  const connection = connectionOf(redis.url);
  const client = new Redis(redis.url);
  const queue = new Queue<JobData, unknown, JobName>(QUEUE, { connection });
  try {
    const before = await usedMemory(client);
    const config = await flowConfig({ data, asOf: 2024, out, models: [...DEFAULT_MODELS], seed: 1, annualBaseRate: DEMO_BASE_RATE_ANNUAL, shards });
    const t0 = performance.now();
    const runKey = await enqueueFlow(config, connection);
    const enqueued = performance.now() - t0;
    // Each fan-out's children, as its first run on a worker adds them.
    // Returns the jobs it added, each with its id, however deep (a model's chain).
    const fanOut = async (name: FanOutName, id: string, extra: Partial<JobData> = {}): Promise<{ id: string; job: ChildJob }[]> => {
      const parent = { id, queueName: QUEUE, queueQualifiedName: queue.qualifiedName };
      const added: { id: string; job: ChildJob }[] = [];
      const walk = (job: ChildJob, parentId: string): void => {
        const jobId = childJobId(parentId, job.key);
        added.push({ id: jobId, job });
        for (const child of job.children ?? []) walk(child, jobId);
      };
      await processStage(name, { out: config.out, ...extra } as JobData, async (children) => {
        await addChildJobs(connection, parent, children);
        for (const child of children) walk(child, id);
        throw new ChildrenAdded();
      }).catch((e: unknown) => {
        if (!(e instanceof ChildrenAdded)) throw e;
      });
      return added;
    };
    const t1 = performance.now();
    const stageJobs: { id: string; job: ChildJob }[] = [];
    for (const stage of ['history', 'features', 'models', 'candidates'] as const) stageJobs.push(...(await fanOut(stage, stageJobId(runKey, stage))));
    // The fan-outs the stages added, wherever the processors put them: the history's and the
    // features' merges (under the fan-out that waits for their shards), each model's scores.
    for (const { id, job } of stageJobs) if (job.name === 'merges' || job.name === 'scores') await fanOut(job.name, id, job.data);
    const added = performance.now() - t1;
    const counts = await queue.getJobCounts();
    const jobs = Object.values(counts).reduce((a, b) => a + b, 0);
    const after = await usedMemory(client);
    const times: number[] = [];
    let shown = '';
    for (let k = 0; k < calls; k++) {
      const s = performance.now();
      const status = await queuedRunStatus(out, redis.url);
      times.push(performance.now() - s);
      shown = status.states.map((x) => `${x.stage} ${x.state} ${x.done}/${x.total}`).join(', ');
    }
    times.sort((a, b) => a - b);
    console.log(
      `redis-load, ${shards} shards, ${modelsInWords(DEFAULT_MODELS)}: ${jobs.toLocaleString('en-US')} jobs, Redis used_memory ${mib(before)} before, ${mib(after)} after (${mib(after - before)} for the run, ` +
        `${((after - before) / jobs / 1024).toFixed(1)} KiB a job); enqueue ${enqueued.toFixed(0)} ms, the fan-outs' children added in ${added.toFixed(0)} ms; ` +
        `status (queuedRunStatus) median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms, slowest ${times.at(-1)!.toFixed(1)} ms of ${calls} calls`,
    );
    console.log(`  jobs by state: ${Object.entries(counts).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`  status: ${shown}`);
  } finally {
    await queue.close();
    client.disconnect();
    redis.stop();
    rmSync(out, { recursive: true, force: true });
  }
}
