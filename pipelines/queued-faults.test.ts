// The queued flow's faults against a real Redis started here (test/queued-helpers.ts): a worker
// killed in the middle of a shard, and Redis restarted in the middle of a run, each still finishing
// with the bytes of the same flow in process. Beside queued-run.test.ts so that the two files run
// side by side.
import type { ChildProcess } from 'node:child_process';
import { describe, it } from 'vitest';
import { expectSameBytes, inProcessReference, startRedis, useRedisAndQueues, waitForActive, workerProcess } from '../test/queued-helpers.ts';
import { tempDir } from '../test/temp-dir.ts';
import { freePort } from '../test/test-tools.ts';
import { followFlow } from './flow-status.ts';
import { enqueueFlow } from './queue.ts';
import { connectionOf } from './queue-connection.ts';

describe('the queued flow under faults', () => {
  const q = useRedisAndQueues();
  // 1,000 members, two shards: a history shard computes three histories of 500 members (complete,
  // and as known on two cut-offs), seconds of work, still running when the fault strikes (the
  // worker is killed within 100 ms of the shard's job becoming active).
  const PLAN_MEMBERS = 1000;

  it('finishes a run whose worker is killed in the middle of a shard, on another worker, with the same bytes', async () => {
    const { inProcess, queued, config } = await inProcessReference(10, PLAN_MEMBERS, 'killed');
    const connection = connectionOf(q.url);
    const first = workerProcess(q.url, q.queue, 3);
    q.workers.push(first);
    const runKey = await enqueueFlow(config, connection, { queue: q.queue });
    // Wait until the first worker is inside a shard's history, then kill it without warning.
    await waitForActive(connection, q.queue, 'history-shard');
    first.kill('SIGKILL');
    q.workers.push(workerProcess(q.url, q.queue, 3));
    await followFlow(runKey, connection, undefined, { queue: q.queue });
    expectSameBytes(queued, inProcess, ['history/raf_history.parquet', 'history/raf_hcc.parquet', 'models/logistic/weights.bin', 'evaluation/logistic/evaluation.json', 'candidates/outreach.csv', 'report.html']);
  }, 300_000);

  it('completes a run when Redis restarts in the middle (persistence on)', async () => {
    const port = await freePort();
    const dir = tempDir('redis-aof');
    const launch = (): Promise<ChildProcess> => startRedis(port, ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '']);
    let server = await launch();
    const persistentUrl = `redis://127.0.0.1:${port}`;
    try {
      const { inProcess, queued, config } = await inProcessReference(10, PLAN_MEMBERS, 'restarted');
      const connection = connectionOf(persistentUrl);
      q.workers.push(workerProcess(persistentUrl, q.queue, 10));
      const runKey = await enqueueFlow(config, connection, { queue: q.queue });
      await waitForActive(connection, q.queue, 'history-shard');
      server.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 1000));
      server = await launch();
      await followFlow(runKey, connection, undefined, { queue: q.queue });
      expectSameBytes(queued, inProcess, ['history/raf_history.parquet', 'models/logistic/weights.bin', 'evaluation/logistic/evaluation.json', 'report.html']);
    } finally {
      server.kill('SIGKILL');
    }
  }, 300_000);
});
