// `rafcast worker`: runs the jobs of queued flows on this machine until stopped
// (pipelines/worker.ts).
import type { Command } from 'commander';
import { parseCountOption, parseQueueName, parseRedisUrl, runAction } from '../cli-support.ts';
import { S3_ENDPOINT_HELP, parseS3Endpoint, parseStoreUrl, useS3Endpoint } from '../cli-store.ts';
import { QUEUE } from '../../pipelines/queue-connection.ts';
import { engineThreadsEnv } from '../../data/engine-threads.ts';

export interface WorkerOptions {
  redis: string;
  concurrency: number;
  lockSeconds: number;
  queue: string;
  threads?: number;
  store?: string;
  s3Endpoint?: string;
  scratch?: string;
}

export function addWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run the jobs of queued flows (rafcast run --redis) on this machine, until stopped.')
    .requiredOption('--redis <url>', 'the Redis the runs are queued on, e.g. redis://127.0.0.1:6379', parseRedisUrl)
    .option('--concurrency <n>', 'jobs at a time, each in a child process of this worker (one per core: 2 on a 2-core machine)', parseCountOption('--concurrency'), 1)
    .option('--lock-seconds <s>', 'a job held this long by a worker that stopped answering goes to another worker', parseCountOption('--lock-seconds'), 120)
    .option('--queue <name>', 'the BullMQ queue (several teams or tests can share one Redis)', parseQueueName, QUEUE)
    .option('--threads <n>', "threads each job's engines may use (DuckDB, TensorFlow); default: every core. --threads 1 makes a one-core worker, as one machine of a cluster would be measured", parseCountOption('--threads'))
    .option('--store <url>', 'check at start that this S3 bucket (s3://BUCKET/PREFIX) can be reached with this machine\'s credentials; each job finds its run\'s store itself', parseStoreUrl)
    .option('--s3-endpoint <url>', S3_ENDPOINT_HELP, parseS3Endpoint)
    .option('--scratch <dir>', 'runs in an S3 bucket: the folder for each job\'s private scratch folder, removed when the job ends; folders left there by killed workers are removed by the next worker (default: RAFCAST_SCRATCH, else the system\'s temporary folder)')
    .addHelpText(
      'after',
      `
Each job runs in a child process of the worker (kept from job to job), so --concurrency N keeps N
cores busy; a job held by a worker that stopped answering goes to another after --lock-seconds.
--threads n caps the engines of every job this worker runs (DuckDB's threads, TensorFlow's; the
jobs' processes get RAFCAST_THREADS=n): with --concurrency 1, the default, --threads 1 keeps one
core busy, so workers measured on one machine stand for workers on machines of their own.
Stop with Ctrl-C: the worker finishes its jobs first. A run in an S3 bucket (rafcast run --store)
needs nothing shared but Redis and the bucket: each job downloads its inputs to a scratch folder of
its own and uploads its outputs, a manifest last.

Examples:
  rafcast worker --redis redis://127.0.0.1:6379
  rafcast worker --redis redis://queue.internal:6379 --concurrency 4
  rafcast worker --redis redis://127.0.0.1:6379 --queue finance-team
  rafcast worker --redis redis://127.0.0.1:6379 --threads 1
  rafcast worker --redis redis://queue.internal:6379 --store s3://rafcast-runs --scratch /mnt/fast/rafcast
  rafcast worker --redis redis://queue.internal:6379 --store s3://runs --s3-endpoint http://minio.internal:9000`,
    )
    .action((o: WorkerOptions) => runAction(() => work(o), { onStop: false }));
}

async function work(o: WorkerOptions): Promise<void> {
  const [{ connectionOf, requireRedis }, { startWorker }] = await Promise.all([import('../../pipelines/queue-connection.ts'), import('../../pipelines/worker.ts')]);
  useS3Endpoint(o.s3Endpoint);
  // The job processes (stage-process.ts) inherit it.
  if (o.scratch !== undefined) process.env.RAFCAST_SCRATCH = (await import('node:path')).resolve(o.scratch);
  // At start, an unreachable Redis is an error; later, BullMQ reconnects on its own.
  await requireRedis(o.redis);
  // The worker's own process and the child processes its jobs run in (they inherit the environment).
  if (o.threads !== undefined) Object.assign(process.env, engineThreadsEnv(o.threads));
  if (o.store !== undefined) await (await import('../../pipelines/run-store.ts')).requireStore(o.store);
  const worker = startWorker(connectionOf(o.redis), { concurrency: o.concurrency, lockMs: o.lockSeconds * 1000, queue: o.queue });
  worker.on('completed', (job) => process.stderr.write(`done ${job.name} (${job.id})\n`));
  worker.on('failed', (job, err) => process.stderr.write(`failed ${job?.name} (${job?.id}): ${err.message}\n`));
  process.stderr.write(`worker on ${o.redis}, concurrency ${o.concurrency}${o.threads !== undefined ? `, ${o.threads} thread${o.threads === 1 ? '' : 's'} a job` : ''}; stop with Ctrl-C\n`);
  await new Promise<void>((resolve) => {
    // Wrappers (npx, tsx) pass a Ctrl-C on as well, so a signal can come twice: the first
    // starts a graceful stop, later ones only say so (the default would kill running jobs).
    let stopping = false;
    const stop = (): void => {
      if (stopping) {
        process.stderr.write('stopping: running jobs finish first (kill -9 to stop at once; their jobs go to another worker)\n');
        return;
      }
      stopping = true;
      process.stderr.write('stopping after the running jobs ...\n');
      void worker.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
