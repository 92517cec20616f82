// The queued flow's faults against a real Redis started here (test/queued-helpers.ts): a worker
// killed in the middle of a shard, and Redis restarted in the middle of a run, each still finishing
// with the bytes of the same flow in process; the first also holds the states a followed run and
// `rafcast status` show, and its run key and folder. Two workers that share nothing but Redis and a
// bucket are in queued-s3.test.ts.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, expectSameBytes, inProcessReference, startRedis, useRedisAndQueues, waitForActive, workerProcess } from '../test/queued-helpers.ts';
import { tempDir } from '../test/temp-dir.ts';
import { freePort } from '../test/test-tools.ts';
import { followFlow, runFolderOf, type StageStatus } from './flow-status.ts';
import { enqueueFlow } from './queue.ts';
import { connectionOf } from './queue-connection.ts';
import { runKeyOf } from './run-keys.ts';

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
    const seen: StageStatus[][] = [];
    await followFlow(runKey, connection, (states) => seen.push(states), { queue: q.queue });
    expectSameBytes(queued, inProcess, ['history/raf_history.parquet', 'history/raf_hcc.parquet', 'models/logistic/weights.bin', 'evaluation/logistic/evaluation.json', 'candidates/outreach.csv', 'report.html']);
    // The last poll: every stage done, the partition with a job per piece (members, enrollment and
    // claims, each under 500,000 rows: one piece each); the history and the features with a job
    // per shard, the fan-out over their merges and the merges (the history and its three histories
    // as known: 2 + 1 + 4; the features of T-1 and T: 2 + 1 + 2); under models the model's chain of
    // its one network, train and scores (a job per shard), the expected dollars and the list:
    // 3 + 2 + 1 + 1 jobs; under candidates the model's evaluation.
    expect(seen.at(-1)!.map((s) => `${s.stage} ${s.state} ${s.done}/${s.total}`)).toEqual([
      'partition completed 3/3',
      'history completed 7/7',
      'features completed 5/5',
      'models completed 7/7',
      'candidates completed 1/1',
      'report completed 1/1',
    ]);
    // The run folder names its run key, and the key (on Redis) its folder: status and --resume take either.
    expect(await runKeyOf(queued)).toBe(runKey);
    expect(await runFolderOf(runKey, connection, { queue: q.queue })).toBe(queued);
    await expect(runFolderOf('no-such-run', connection, { queue: q.queue })).rejects.toThrow(/neither a run folder/);
    // The run is on its own queue only: the default queue does not know its key.
    await expect(runFolderOf(runKey, connection)).rejects.toThrow(/neither a run folder/);
    // `rafcast status` on that queue prints the same states, by run folder.
    const printed = execFileSync(process.execPath, [CLI, 'status', queued, '--redis', q.url, '--queue', q.queue], { encoding: 'utf8' });
    expect(printed.trim().split('\n')).toEqual([`run ${runKey}`, ...seen.at(-1)!.map((s) => `${s.stage.padEnd(12)} ${s.state.padEnd(18)} ${s.done}/${s.total}`)]);
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
