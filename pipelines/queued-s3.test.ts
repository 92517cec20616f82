// The queued flow with its run in an S3 bucket (issue 20), against a real S3-API server (s3rver,
// test/s3-helpers.ts) and a real Redis (test/queued-helpers.ts): workers that share nothing but
// Redis and the bucket (each its own scratch folder and working folder, no path in common) give the
// bytes of the same flow in process in a folder; a worker killed in the middle of an upload leaves
// nothing a reader sees, and the store killed and restarted in the middle of the same run leaves it
// neither stale nor partial: another worker finishes it with the same bytes. Two queued runs in all
// (the two faults share one), each about a minute on a shared 2-core machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, useRedisAndQueues, waitForActive } from '../test/queued-helpers.ts';
import { useS3 } from '../test/s3-helpers.ts';
import { tempDir } from '../test/temp-dir.ts';
import { followFlow } from './flow-status.ts';
import { enqueueFlow } from './queue.ts';
import { connectionOf } from './queue-connection.ts';
import { runKeyOf } from './run-keys.ts';
import { openRunStore } from './run-store.ts';
import { generatePopulation } from './generate-population.ts';
import { flowConfig, runPipeline } from './run.ts';

// A tiny plan, two shards, one model: every stage runs, each job in a few seconds.
const PLAN_MEMBERS = 400;
const SETTINGS = { asOf: 2024, models: ['logistic' as const], seed: 1, annualBaseRate: 10402.34, shards: 2 };
const FILES = [
  'history/raf_history.parquet',
  'history/raf_hcc.parquet',
  'features/features_2023.parquet',
  'features/features_2024.parquet',
  'models/logistic/weights.bin',
  'scores/logistic.parquet',
  'evaluation/logistic/evaluation.json',
  'candidates/outreach.csv',
  'candidates/candidates.parquet',
  'report.html',
];

/** Each file of the run in the store equals the one in the local folder, byte for byte. */
async function expectSameBytesInStore(location: string, folder: string): Promise<void> {
  const store = openRunStore(location);
  try {
    for (const f of FILES) expect(readFileSync(await store.read(f)).equals(readFileSync(join(folder, f))), f).toBe(true);
  } finally {
    await store.release();
  }
}

describe('the queued flow with its run in an S3 bucket', () => {
  const q = useRedisAndQueues();
  const s3 = useS3();

  /** A `rafcast worker` with its own scratch folder and working folder, on the endpoint given (default the store's). */
  const worker = (scratch: string, lockSeconds: number, endpoint = s3.env.AWS_ENDPOINT_URL_S3!): ChildProcess => {
    const w = spawn(process.execPath, [CLI, 'worker', '--redis', q.url, '--queue', q.queue, '--lock-seconds', String(lockSeconds), '--scratch', scratch, '--s3-endpoint', endpoint], {
      cwd: tempDir('worker-cwd'),
      stdio: 'ignore',
    });
    q.workers.push(w);
    return w;
  };

  // The plan, and the same flow in process into a folder: the bytes every run here must give. The
  // first test runs it side by side with its queued run (two cores), the second reuses it.
  let plan: Promise<string> | undefined;
  const planData = (): Promise<string> =>
    (plan ??= (async () => {
      const data = tempDir('s3-plan');
      await generatePopulation({ members: PLAN_MEMBERS, firstYear: 2021, lastYear: 2025, seed: 20, out: data });
      return data;
    })());
  let reference: Promise<string> | undefined;
  const inProcess = (): Promise<string> =>
    (reference ??= (async () => {
      const out = join(tempDir('s3-reference'), 'run');
      await runPipeline({ ...SETTINGS, data: await planData(), out });
      return out;
    })());

  it('runs on two workers that share only Redis and the bucket to the bytes of the run in process in a folder', async () => {
    const data = await planData();
    const folder = inProcess();
    const location = 's3://rafcast-test/two-workers';
    const scratches = [tempDir('scratch-a'), tempDir('scratch-b')];
    for (const s of scratches) worker(s, 30);
    const config = await flowConfig({ ...SETTINGS, data, out: location });
    // The workers read the data from the store: flow.json names the key, the store holds its files.
    expect(config.input).toBe('input');
    const runKey = await enqueueFlow(config, connectionOf(q.url), { queue: q.queue });
    await followFlow(runKey, connectionOf(q.url), undefined, { queue: q.queue });
    await expectSameBytesInStore(location, await folder);
    // `rafcast status` finds the run by its store.
    expect(await runKeyOf(location)).toBe(runKey);
    // Every job let go of its scratch folder: nothing is left on the workers.
    for (const s of scratches) expect(readdirSync(s)).toEqual([]);
  }, 240_000);

  it('hides an upload a killed worker left half-done and survives the store restarting: another worker finishes with the same bytes', async () => {
    const data = await planData();
    const location = 's3://rafcast-test/faults';
    // The first worker reaches the store through a proxy that stops forwarding in the middle of
    // the first upload of the partition's shards: the worker is then killed with the upload open.
    let stalled!: () => void;
    const stall = new Promise<void>((resolve) => (stalled = resolve));
    const proxy = await stallingProxy(s3.port, 'PUT /rafcast-test/faults/shards/', () => stalled());
    try {
      const first = worker(tempDir('scratch-a'), 3, `http://127.0.0.1:${(proxy.address() as { port: number }).port}`);
      const config = await flowConfig({ ...SETTINGS, data, out: location });
      const connection = connectionOf(q.url);
      const runKey = await enqueueFlow(config, connection, { queue: q.queue });
      await stall;
      first.kill('SIGKILL');
      // Mid-upload, the partition's output is not there for any reader: no manifest.
      const store = openRunStore(location);
      expect(await store.has('shards')).toBe(false);
      await expect(store.read('shards/shard-000')).rejects.toThrow(/shards\/shard-000 is missing/);
      await store.release();
      // Another worker takes the partition once the first one's lock runs out (3 s).
      worker(tempDir('scratch-b'), 3);
      // Later, the store itself is killed in the middle of a shard's history and started again
      // on the same folder: the jobs that met it down are retried.
      await waitForActive(connection, q.queue, 'history-shard');
      await s3.restart();
      await followFlow(runKey, connection, undefined, { queue: q.queue });
      await expectSameBytesInStore(location, await inProcess());
    } finally {
      proxy.close();
    }
  }, 240_000);
});

/**
 * A TCP proxy to the store that forwards everything until a request begins with `request`; from
 * then on that connection's bytes stop half-way (the request line, the headers and a few bytes of
 * the body go through, nothing more), and `onStall` is called.
 */
async function stallingProxy(port: number, request: string, onStall: () => void): Promise<Server> {
  const server = createServer((client: Socket) => {
    const upstream = connect(port, '127.0.0.1');
    upstream.pipe(client);
    let stalled = false;
    client.on('data', (chunk: Buffer) => {
      if (stalled) return;
      const at = chunk.toString('latin1').indexOf(request);
      if (at < 0) {
        upstream.write(chunk);
        return;
      }
      stalled = true;
      const body = chunk.indexOf('\r\n\r\n', at);
      upstream.write(chunk.subarray(0, body < 0 ? chunk.length : Math.min(chunk.length, body + 4 + 8)));
      onStall();
    });
    client.on('close', () => upstream.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
