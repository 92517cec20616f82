// The flow on BullMQ against a real Redis started here (test/queued-helpers.ts): bad data fails a
// run at once. Two workers giving the bytes of the flow in process are in queued-s3.test.ts (workers
// that share only Redis and an S3 bucket) and queued-faults.test.ts (a worker killed, another
// finishing; with the status a run prints, and its run key and folder), which also restarts Redis.
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqlString } from '../data/duckdb.ts';
import { queryRows } from '../test/duckdb-helpers.ts';
import { useRedisAndQueues, workerProcess } from '../test/queued-helpers.ts';
import { tempDir } from '../test/temp-dir.ts';
import { generatePopulation } from './generate-population.ts';
import { followFlow } from './flow-status.ts';
import { enqueueFlow } from './queue.ts';
import { connectionOf } from './queue-connection.ts';
import { flowConfig } from './run.ts';

describe('the queued flow', () => {
  const q = useRedisAndQueues();

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
