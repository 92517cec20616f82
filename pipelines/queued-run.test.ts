// The flow on BullMQ against a real Redis started here (test/queued-helpers.ts): two worker
// processes run a queued run to outputs byte-identical to the same flow in process, and bad data
// fails a run at once. The faults (a worker killed, Redis restarted) are in queued-faults.test.ts,
// a file of its own so that vitest runs the two side by side.
import { execFileSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqlString } from '../data/duckdb.ts';
import { queryRows } from '../test/duckdb-helpers.ts';
import { CLI, expectSameBytes, useRedisAndQueues, workerProcess } from '../test/queued-helpers.ts';
import { tempDir } from '../test/temp-dir.ts';
import { generatePopulation } from './generate-population.ts';
import { followFlow, runFolderOf, type StageStatus } from './flow-status.ts';
import { enqueueFlow } from './queue.ts';
import { connectionOf } from './queue-connection.ts';
import { runKeyOf } from './run-keys.ts';
import { flowConfig, runPipeline } from './run.ts';

describe('the queued flow', () => {
  const q = useRedisAndQueues();

  it('runs on two worker processes to the same bytes as in process', async () => {
    const data = tempDir('queued-plan');
    await generatePopulation({ members: 800, firstYear: 2021, lastYear: 2025, seed: 9, out: data });
    // Two models: in process they are trained one after the other, on workers each in a fresh process.
    const base = { data, asOf: 2024, models: ['mlp' as const, 'logistic' as const], seed: 1, annualBaseRate: 10402.34, shards: 3 };
    const inProcess = join(tempDir('queued'), 'run');
    await runPipeline({ ...base, out: inProcess });

    for (let k = 0; k < 2; k++) q.workers.push(workerProcess(q.url, q.queue));
    const queued = join(tempDir('queued'), 'run');
    const config = await flowConfig({ ...base, out: queued });
    const runKey = await enqueueFlow(config, connectionOf(q.url), { queue: q.queue });
    const seen: StageStatus[][] = [];
    await followFlow(runKey, connectionOf(q.url), (states) => seen.push(states), { queue: q.queue });
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
    expect(await runKeyOf(queued)).toBe(runKey);
    expect(await runFolderOf(runKey, connectionOf(q.url), { queue: q.queue })).toBe(queued);
    await expect(runFolderOf('no-such-run', connectionOf(q.url), { queue: q.queue })).rejects.toThrow(/neither a run folder/);
    // The run is on its own queue only: the default queue does not know its key.
    await expect(runFolderOf(runKey, connectionOf(q.url))).rejects.toThrow(/neither a run folder/);
    // `rafcast status` on that queue prints the same states, by run folder.
    const printed = execFileSync(process.execPath, [CLI, 'status', queued, '--redis', q.url, '--queue', q.queue], { encoding: 'utf8' });
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
    q.workers.push(workerProcess(q.url, q.queue));
    const runKey = await enqueueFlow(config, connectionOf(q.url), { queue: q.queue });
    const failure = followFlow(runKey, connectionOf(q.url), undefined, { queue: q.queue });
    await expect(failure).rejects.toThrow(/partition failed after 1 attempt: E_TOO_MANY_REJECTED/);
    await expect(failure).rejects.toMatchObject({ code: 'E_RUN_FAILED' });
  }, 120_000);
});
