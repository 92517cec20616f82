// rafcast status on a queued run whose jobs are moved by hand (no job runs: a BullMQ worker without
// a processor takes them one at a time), against a real Redis started here: each stage's state and
// its jobs done and in all, step by step, the same from a fresh look-up and from a poll that keeps
// what is final (followFlow's cache).
import { join } from 'node:path';
import { Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { useRedisAndQueues } from '../test/queued-helpers.ts';
import { tempDir } from '../test/temp-dir.ts';
import { flowStatus, newStatusCache, pollInterval } from './flow-status.ts';
import { generatePopulation } from './generate-population.ts';
import { MODELS_STAGE_PRIORITY, type ChildJob, type JobData, type JobName } from './jobs.ts';
import { addChildJobs, enqueueFlow } from './queue.ts';
import { connectionOf } from './queue-connection.ts';
import { flowConfig } from './run.ts';

describe('rafcast status', () => {
  const q = useRedisAndQueues();

  it('counts each stage and the jobs under it as before, with or without what earlier polls kept', async () => {
    const data = tempDir('status-plan');
    await generatePopulation({ members: 60, firstYear: 2021, lastYear: 2025, seed: 5, out: data });
    const out = join(tempDir('status'), 'run');
    const config = await flowConfig({ data, asOf: 2024, models: ['logistic'], seed: 1, annualBaseRate: 10402.34, shards: 3, out });
    const connection = connectionOf(q.url);
    const runKey = await enqueueFlow(config, connection, { queue: q.queue });
    const worker = new Worker<JobData, unknown, JobName>(q.queue, null, { connection, autorun: false });
    const cache = newStatusCache();
    const token = 'status-test';
    // The states now, by a fresh look-up and by a poll that keeps what is final: both must say the same.
    const status = async (): Promise<string[]> => {
      const fresh = (await flowStatus(runKey, connection, { queue: q.queue })).map((s) => `${s.stage} ${s.state} ${s.done}/${s.total}`);
      const kept = (await flowStatus(runKey, connection, { queue: q.queue }, cache)).map((s) => `${s.stage} ${s.state} ${s.done}/${s.total}`);
      expect(kept).toEqual(fresh);
      return fresh;
    };
    /** Takes the next job, which must be `name`, as a worker would. */
    const take = async (name: JobName) => {
      const job = await worker.getNextJob(token);
      expect(job?.name).toBe(name);
      return job!;
    };
    const complete = async (name: JobName): Promise<void> => void (await (await take(name)).moveToCompleted('done', token, false));
    /** A fan-out's first run: adds its children as the worker does, and waits for them. */
    const fanOut = async (name: JobName, children: ChildJob[]): Promise<void> => {
      const job = await take(name);
      await addChildJobs(connection, { id: job.id!, queueName: q.queue, queueQualifiedName: job.queueQualifiedName }, children);
      expect(await job.moveToWaitingChildren(token)).toBe(true);
    };
    const shards = (name: 'history-shard' | 'features-shard'): ChildJob[] => [0, 1, 2].map((k) => ({ name, key: String(k), data: { out, shard: k } }));
    /** A stage's one child: the fan-out over its merges, after its shards (processors.ts shardsThenMerges). */
    const shardsThenMerges = (of: 'history' | 'features'): ChildJob[] => [{ name: 'merges', key: 'merges', data: { out, of }, children: shards(of === 'history' ? 'history-shard' : 'features-shard') }];
    /** The merges' fan-out: n merges. */
    const merges = async (of: 'history' | 'features', n: number): Promise<void> => {
      await fanOut('merges', Array.from({ length: n }, (_, m): ChildJob => ({ name: 'merge', key: `merge-${m + 1}`, data: { out, of, merge: m } })));
      for (let m = 0; m < n; m++) await complete('merge');
      await complete('merges');
    };
    try {
      // Enqueued: partition waits; every later stage waits on the chain (pending). Totals from
      // flow.json before the jobs exist: history 3 shards + the fan-out over its merges + 4 merges
      // (the history and the three histories as known: the expected dollars' at T-2, the features'
      // at T-1 and T) = 8; features 3 shards + the fan-out + 2 merges (T-1 and T) = 6; models 1
      // model x (its one network, train, scores + 3 predict shards) + the expected dollars + the
      // list = 8; candidates the model's evaluation = 1.
      expect(await status()).toEqual([
        'partition waiting 0/1',
        'history pending 0/8',
        'features pending 0/6',
        'models pending 0/8',
        'candidates pending 0/1',
        'report pending 0/1',
      ]);
      await complete('partition');
      // History's only dependency (partition) is done: it waits for a worker, nothing under it yet.
      expect((await status()).slice(0, 3)).toEqual(['partition completed 1/1', 'history waiting 0/8', 'features pending 0/6']);
      await fanOut('history', shardsThenMerges('history'));
      await complete('history-shard');
      await complete('history-shard');
      // Two of its three shards done; features still pending behind it.
      expect((await status()).slice(1, 3)).toEqual(['history waiting-children 2/8', 'features pending 0/6']);
      await complete('history-shard');
      await merges('history', 4); // once the shards are done
      await complete('history');
      await fanOut('features', shardsThenMerges('features'));
      for (let k = 0; k < 3; k++) await complete('features-shard');
      await merges('features', 2);
      await complete('features');
      // The list, whose children are the model's chain, scores <- train <- a job per network (the
      // logistic model has one), and the expected dollars, in the processors' order (the network,
      // train, the dollars); scores adds a job per shard.
      const p = MODELS_STAGE_PRIORITY;
      await fanOut('models', [
        {
          name: 'list',
          key: 'list',
          data: { out },
          children: [
            {
              name: 'scores',
              key: 'logistic',
              data: { out, model: 'logistic' },
              children: [{ name: 'train', key: 'train', data: { out, model: 'logistic' }, priority: p.train, children: [{ name: 'train-network', key: 'network-1', data: { out, model: 'logistic', network: 0 }, priority: p['train-network'] }] }],
            },
            { name: 'dollars', key: 'dollars', data: { out }, priority: p.dollars },
          ],
        },
      ]);
      // Added before the network (BullMQ adds a flow level by level), the dollars still come after
      // it and after train, which is ready only once the network is done; scores and its shards,
      // with no priority, come before them.
      await complete('train-network');
      await complete('train');
      await fanOut('scores', [0, 1, 2].map((k): ChildJob => ({ name: 'predict-shard', key: String(k), data: { out, model: 'logistic', shard: k } })));
      await complete('predict-shard');
      // Under models: the network, train and one predict shard done of the list, the dollars, the
      // network, train, scores and 3 shards = 3/8; history and features: their shards, the fan-out over
      // their merges and the merges (the stage's own job is not counted under it).
      expect(await status()).toEqual([
        'partition completed 1/1',
        'history completed 8/8',
        'features completed 6/6',
        'models waiting-children 3/8',
        'candidates pending 0/1',
        'report pending 0/1',
      ]);
      for (let k = 0; k < 2; k++) await complete('predict-shard');
      await complete('scores');
      await complete('dollars');
      // The list, once the scores and the dollars are done.
      expect((await status()).slice(3)).toEqual(['models waiting-children 7/8', 'candidates pending 0/1', 'report pending 0/1']);
      await complete('list');
      // All 8 under models done; the stage itself waits for a worker to take it.
      expect((await status()).slice(3)).toEqual(['models waiting 8/8', 'candidates pending 0/1', 'report pending 0/1']);
      await complete('models');
      // The model's evaluation.
      await fanOut('candidates', [{ name: 'evaluate-model', key: 'logistic', data: { out, model: 'logistic' } }]);
      expect((await status()).slice(4)).toEqual(['candidates waiting-children 0/1', 'report pending 0/1']);
      await complete('evaluate-model');
      await complete('candidates');
      await complete('report');
      expect(await status()).toEqual([
        'partition completed 1/1',
        'history completed 8/8',
        'features completed 6/6',
        'models completed 8/8',
        'candidates completed 1/1',
        'report completed 1/1',
      ]);
      // What the kept poll knows for good: every stage and every job under them (8 + 6 + 8 + 1 jobs and the 6 stages).
      expect(cache.under.size).toBe(29);
    } finally {
      await worker.close();
    }
  }, 60_000);

  it('polls every half second, or ten times the last poll when that is longer', () => {
    // 30 ms x 10 = 300 ms, under the half second: 500. 80 ms x 10 = 800 ms.
    expect(pollInterval(30)).toBe(500);
    expect(pollInterval(80)).toBe(800);
  });
});
