// The flow on BullMQ against a real Redis started here (Debian's redis-server; .ci/run installs
// it): two worker processes run a queued run to outputs byte-identical to the same flow in process.
// Each test has a queue of its own (its workers: `rafcast worker --queue`), emptied afterwards.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sqlString } from '../data/duckdb.ts';
import { queryRows } from '../test/duckdb-helpers.ts';
import { tempDir } from '../test/temp-dir.ts';
import { REDIS_SERVER, freePort } from '../test/test-tools.ts';
import { generatePopulation } from './generate-population.ts';
import { followFlow, runFolderOf, type StageStatus } from './flow-status.ts';
import { enqueueFlow } from './queue.ts';
import { connectionOf } from './queue-connection.ts';
import { runKeyOf } from './run-keys.ts';
import { Queue } from 'bullmq';
import { flowConfig, runPipeline } from './run.ts';

const CLI = fileURLToPath(new URL('../bin/rafcast.js', import.meta.url));
const REDIS = REDIS_SERVER;

/** A worker process on this Redis and queue: the `rafcast worker` command itself. */
const workerProcess = (url: string, queue: string, lockSeconds = 120): ChildProcess =>
  spawn(process.execPath, [CLI, 'worker', '--redis', url, '--queue', queue, '--lock-seconds', String(lockSeconds)], { stdio: 'ignore' });

let queues = 0;
/** A queue name no other test (nor another run of this file on the same Redis) uses. */
const newQueue = (): string => `rafcast-test-${process.pid}-${++queues}`;

async function startRedis(port: number, extra: string[] = ['--save', '', '--appendonly', 'no']): Promise<ChildProcess> {
  const p = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--maxmemory-policy', 'noeviction', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    p.on('error', reject);
    p.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) resolve();
    });
  });
  return p;
}

/** Waits until a job of this name is being processed. */
async function waitForActive(connection: ReturnType<typeof connectionOf>, queueName: string, name: string): Promise<void> {
  const queue = new Queue(queueName, { connection });
  try {
    for (let waited = 0; ; waited += 100) {
      if ((await queue.getJobs(['active'])).some((j) => j.name === name)) return;
      if (waited > 120_000) throw new Error(`no ${name} job became active`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await queue.close();
  }
}

/**
 * A generated plan of 3,000 members run in process (the bytes a queued run must give), and the
 * configuration of the same flow into a new folder for the queue.
 */
const references = new Map<number, Promise<{ data: string; inProcess: string }>>();
async function inProcessReference(seed: number, name: string): Promise<{ inProcess: string; queued: string; config: Awaited<ReturnType<typeof flowConfig>> }> {
  // One plan and in-process run per seed, shared by the tests that fault a queued run of it (each
  // its own queued folder): the reference is the same bytes whichever test made it first.
  if (!references.has(seed)) {
    references.set(
      seed,
      (async () => {
        const data = tempDir('queued-plan');
        await generatePopulation({ members: 3000, firstYear: 2021, lastYear: 2025, seed, out: data });
        const inProcess = join(tempDir('queued'), 'run');
        await runPipeline({ ...referenceSettings(data), out: inProcess });
        return { data, inProcess };
      })(),
    );
  }
  const { data, inProcess } = await references.get(seed)!;
  const queued = join(tempDir('queued'), name);
  return { inProcess, queued, config: await flowConfig({ ...referenceSettings(data), out: queued }) };
}
const referenceSettings = (data: string) => ({ data, asOf: 2024, models: ['logistic' as const], seed: 1, annualBaseRate: 10402.34, shards: 2 });

function expectSameBytes(a: string, b: string, files: string[]): void {
  for (const f of files) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
}

describe('the queued flow', () => {
  let redis: ChildProcess;
  let url: string;
  let queue: string;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    url = `redis://127.0.0.1:${port}`;
  });
  // Each test its own queue and workers; afterwards the workers are killed and the queue removed.
  beforeEach(() => {
    queue = newQueue();
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) w.kill('SIGKILL');
    const q = new Queue(queue, { connection: connectionOf(url) });
    await q.obliterate({ force: true });
    await q.close();
  });
  afterAll(() => {
    redis?.kill('SIGKILL');
  });

  it('runs on two worker processes to the same bytes as in process', async () => {
    const data = tempDir('queued-plan');
    await generatePopulation({ members: 1500, firstYear: 2021, lastYear: 2025, seed: 9, out: data });
    // Two models: in process they are trained one after the other, on workers each in a fresh process.
    const base = { data, asOf: 2024, models: ['mlp' as const, 'logistic' as const], seed: 1, annualBaseRate: 10402.34, shards: 3 };
    const inProcess = join(tempDir('queued'), 'run');
    await runPipeline({ ...base, out: inProcess });

    for (let k = 0; k < 2; k++) workers.push(workerProcess(url, queue));
    const queued = join(tempDir('queued'), 'run');
    const config = await flowConfig({ ...base, out: queued });
    const runKey = await enqueueFlow(config, connectionOf(url), { queue });
    const seen: StageStatus[][] = [];
    await followFlow(runKey, connectionOf(url), (states) => seen.push(states), { queue });
    const files = ['history/raf_history.parquet', 'history/raf_hcc.parquet', 'features/features_2023.parquet', 'features/features_2024.parquet'];
    for (const m of base.models) files.push(`models/${m}/model.json`, `models/${m}/weights.bin`, `scores/${m}.parquet`, `evaluation/${m}/evaluation.json`, `evaluation/${m}/members.csv`);
    expectSameBytes(queued, inProcess, [...files, 'candidates/outreach.csv', 'candidates/candidates.parquet', 'report.html']);
    // The last poll: every stage done, the fan-outs with one job per shard, and a chain per model
    // of train, scores (a job per shard) and evaluate: 2 x (3 + 3) jobs.
    expect(seen.at(-1)!.map((s) => `${s.stage} ${s.state} ${s.done}/${s.total}`)).toEqual([
      'partition completed 1/1',
      'history completed 3/3',
      'features completed 3/3',
      'models completed 12/12',
      'candidates completed 1/1',
      'report completed 1/1',
    ]);
    // Part-way through, the bars moved job by job inside the models' chains.
    expect(seen.some((st) => st[3]!.done > 0 && st[3]!.done < 12)).toBe(true);
    // The run folder names its run key, and the key (on Redis) its folder: status and --resume take either.
    expect(runKeyOf(queued)).toBe(runKey);
    expect(await runFolderOf(runKey, connectionOf(url), { queue })).toBe(queued);
    await expect(runFolderOf('no-such-run', connectionOf(url), { queue })).rejects.toThrow(/neither a run folder/);
    // The run is on its own queue only: the default queue does not know its key.
    await expect(runFolderOf(runKey, connectionOf(url))).rejects.toThrow(/neither a run folder/);
    // `rafcast status` on that queue prints the same states, by run folder.
    const printed = execFileSync(process.execPath, [CLI, 'status', queued, '--redis', url, '--queue', queue], { encoding: 'utf8' });
    expect(printed.trim().split('\n')).toEqual([
      `run ${runKey}`,
      ...seen.at(-1)!.map((s) => `${s.stage.padEnd(12)} ${s.state.padEnd(18)} ${s.done}/${s.total}`),
    ]);
  }, 360_000); // 222 s measured on a shared machine: each history shard computes the history three times (complete, and as known on two cut-offs)

  it('fails a run on bad data at once, with the cause, without retrying', async () => {
    const data = tempDir('queued-bad');
    await generatePopulation({ members: 300, firstYear: 2022, lastYear: 2025, seed: 3, out: data });
    // Every claim with a negative amount: the contract rejects them all (paid_amount min 0).
    const claims = join(data, 'claims.parquet');
    await queryRows(`COPY (SELECT * REPLACE (-1.00::DECIMAL(14,2) AS paid_amount) FROM read_parquet(${sqlString(claims)})) TO ${sqlString(`${claims}.bad`)} (FORMAT parquet)`);
    renameSync(`${claims}.bad`, claims);
    const config = await flowConfig({ data, asOf: 2024, models: ['logistic'], seed: 1, annualBaseRate: 10402.34, shards: 2, out: join(tempDir('queued'), 'bad') });
    workers.push(workerProcess(url, queue));
    const runKey = await enqueueFlow(config, connectionOf(url), { queue });
    const failure = followFlow(runKey, connectionOf(url), undefined, { queue });
    await expect(failure).rejects.toThrow(/partition failed after 1 attempt: E_TOO_MANY_REJECTED/);
    await expect(failure).rejects.toMatchObject({ code: 'E_RUN_FAILED' });
  }, 120_000);

  it('finishes a run whose worker is killed in the middle of a shard, on another worker, with the same bytes', async () => {
    const { inProcess, queued, config } = await inProcessReference(10, 'killed');
    const connection = connectionOf(url);
    const first = workerProcess(url, queue, 3);
    workers.push(first);
    const runKey = await enqueueFlow(config, connection, { queue });
    // Wait until the first worker is inside a shard's history, then kill it without warning.
    await waitForActive(connection, queue, 'history-shard');
    first.kill('SIGKILL');
    workers.push(workerProcess(url, queue, 3));
    await followFlow(runKey, connection, undefined, { queue });
    expectSameBytes(queued, inProcess, ['history/raf_history.parquet', 'history/raf_hcc.parquet', 'models/logistic/weights.bin', 'evaluation/logistic/evaluation.json', 'candidates/outreach.csv', 'report.html']);
  }, 300_000);

  it('completes a run when Redis restarts in the middle (persistence on)', async () => {
    const port = await freePort();
    const dir = tempDir('redis-aof');
    const launch = (): Promise<ChildProcess> => startRedis(port, ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '']);
    let server = await launch();
    const persistentUrl = `redis://127.0.0.1:${port}`;
    try {
      const { inProcess, queued, config } = await inProcessReference(10, 'restarted');
      const connection = connectionOf(persistentUrl);
      workers.push(workerProcess(persistentUrl, queue, 10));
      const runKey = await enqueueFlow(config, connection, { queue });
      await waitForActive(connection, queue, 'history-shard');
      server.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 1000));
      server = await launch();
      await followFlow(runKey, connection, undefined, { queue });
      expectSameBytes(queued, inProcess, ['history/raf_history.parquet', 'models/logistic/weights.bin', 'evaluation/logistic/evaluation.json', 'report.html']);
    } finally {
      server.kill('SIGKILL');
    }
  }, 300_000);
});
