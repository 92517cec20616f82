// `rafcast status`: each stage's state of a queued run (pipelines/flow-status.ts).
import type { Command } from 'commander';
import { parseQueueName, parseRedisUrl, runAction } from '../cli-support.ts';
import { S3_ENDPOINT_HELP, parseS3Endpoint, useS3Endpoint } from '../cli-store.ts';
import { QUEUE } from '../../pipelines/queue-connection.ts';

export interface StatusOptions {
  redis: string;
  queue: string;
  s3Endpoint?: string;
}

export function addStatusCommand(program: Command): void {
  program
    .command('status')
    .description('The state of each stage of a queued run.')
    .argument('<run>', 'the run folder, its S3 store (s3://BUCKET/PREFIX), or the run key rafcast run --redis printed')
    .requiredOption('--redis <url>', 'the Redis the run is queued on', parseRedisUrl)
    .option('--queue <name>', 'the BullMQ queue (several teams or tests can share one Redis)', parseQueueName, QUEUE)
    .option('--s3-endpoint <url>', S3_ENDPOINT_HELP, parseS3Endpoint)
    .addHelpText('after', '\nExamples:\n  rafcast status runs/queued --redis redis://127.0.0.1:6379\n  rafcast status queued-mhx3k2 --redis redis://127.0.0.1:6379\n  rafcast status s3://rafcast-runs/2024 --redis redis://queue.internal:6379\n  rafcast status s3://runs/2024 --redis redis://queue.internal:6379 --s3-endpoint http://minio.internal:9000\n')
    .action((run: string, o: StatusOptions) => runAction(() => status(run, o)));
}

async function status(run: string, o: StatusOptions): Promise<void> {
  const [{ queuedRunStatus }, { requireRedis }] = await Promise.all([import('../../pipelines/flow-status.ts'), import('../../pipelines/queue-connection.ts')]);
  useS3Endpoint(o.s3Endpoint);
  await requireRedis(o.redis);
  if (run.startsWith('s3://')) await (await import('../../pipelines/run-store.ts')).requireStore(run);
  const s = await queuedRunStatus(run, o.redis, o.queue);
  const lines = s.states.map((x) => `${x.stage.padEnd(12)} ${x.state.padEnd(18)} ${x.done}/${x.total}`);
  if (s.failure !== undefined) lines.push(`failed: ${s.failure}`);
  process.stdout.write(`run ${s.runKey}\n${lines.join('\n')}\n`);
}
