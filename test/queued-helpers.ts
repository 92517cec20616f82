// The queued flow's test set-up, shared by pipelines/queued-bad-data.test.ts (bad data) and
// pipelines/queued-faults.test.ts (a worker killed, Redis restarted), two files so that vitest runs
// them side by side: a Redis server started here (Debian's redis-server; .ci/run installs it),
// `rafcast worker` processes, a queue per test, and the in-process run a queued run must equal.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { generatePopulation } from '../pipelines/generate-population.ts';
import { connectionOf } from '../pipelines/queue-connection.ts';
import { flowConfig, runPipeline } from '../pipelines/run.ts';
import { tempDir } from './temp-dir.ts';
import { REDIS_SERVER, freePort } from './test-tools.ts';

export const CLI = fileURLToPath(new URL('../bin/rafcast.js', import.meta.url));

/** A worker process on this Redis and queue: the `rafcast worker` command itself. */
export const workerProcess = (url: string, queue: string, lockSeconds = 120): ChildProcess =>
  spawn(process.execPath, [CLI, 'worker', '--redis', url, '--queue', queue, '--lock-seconds', String(lockSeconds)], { stdio: 'ignore' });

let queues = 0;
/** A queue name no other test (nor another run of this file on the same Redis) uses. */
const newQueue = (): string => `rafcast-test-${process.pid}-${++queues}`;

export async function startRedis(port: number, extra: string[] = ['--save', '', '--appendonly', 'no']): Promise<ChildProcess> {
  const p = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--maxmemory-policy', 'noeviction', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    p.on('error', reject);
    p.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) resolve();
    });
  });
  return p;
}

/**
 * A Redis for the file's tests (started before them, killed after) and, for each test, a queue of
 * its own and the workers it starts (`workers`): killed and the queue removed after the test.
 */
export function useRedisAndQueues(): { readonly url: string; readonly queue: string; workers: ChildProcess[] } {
  let redis: ChildProcess | undefined;
  const state = { url: '', queue: '', workers: [] as ChildProcess[] };
  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    state.url = `redis://127.0.0.1:${port}`;
  });
  beforeEach(() => {
    state.queue = newQueue();
  });
  afterEach(async () => {
    for (const w of state.workers.splice(0)) w.kill('SIGKILL');
    const q = new Queue(state.queue, { connection: connectionOf(state.url) });
    await q.obliterate({ force: true });
    await q.close();
  });
  afterAll(() => {
    redis?.kill('SIGKILL');
  });
  return state;
}

/** Waits until a job of this name is being processed. */
export async function waitForActive(connection: ReturnType<typeof connectionOf>, queueName: string, name: string): Promise<void> {
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

const referenceSettings = (data: string) => ({ data, asOf: 2024, models: ['logistic' as const], seed: 1, annualBaseRate: 10402.34, shards: 2 });

/**
 * A generated plan of `members` run in process (the bytes a queued run must give), and the
 * configuration of the same flow into a new folder for the queue. One plan and in-process run per
 * seed and size, shared by the tests that fault a queued run of it (each its own queued folder).
 */
const references = new Map<string, Promise<{ data: string; inProcess: string }>>();
export async function inProcessReference(
  seed: number,
  members: number,
  name: string,
): Promise<{ inProcess: string; queued: string; config: Awaited<ReturnType<typeof flowConfig>> }> {
  const key = `${seed}/${members}`;
  if (!references.has(key)) {
    references.set(
      key,
      (async () => {
        const data = tempDir('queued-plan');
        await generatePopulation({ members, firstYear: 2021, lastYear: 2025, seed, out: data });
        const inProcess = join(tempDir('queued'), 'run');
        await runPipeline({ ...referenceSettings(data), out: inProcess });
        return { data, inProcess };
      })(),
    );
  }
  const { data, inProcess } = await references.get(key)!;
  const queued = join(tempDir('queued'), name);
  return { inProcess, queued, config: await flowConfig({ ...referenceSettings(data), out: queued }) };
}

export function expectSameBytes(a: string, b: string, files: string[]): void {
  for (const f of files) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
}
