// Shards (issue 7's partition stage): a member's shard is fixed by the MD5 of its id, every
// member lands in exactly one shard, and the history computed shard by shard and merged is the
// same bytes as the history of the whole plan.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDuckDb, sqlString } from '../data/duckdb.ts';
import { attachCheckedData, shardTableFiles } from '../data/staged-contract.ts';
import type { TableName } from '../data/contract.ts';
import { queryRows } from '../test/duckdb-helpers.ts';
import { tempDir } from '../test/temp-dir.ts';
import { generatePopulation } from './generate-population.ts';
import { computeHistory } from '../scoring/history/compute-history.ts';
import { mergeShardFiles, shardOfSql } from './shards.ts';
import { partitionData } from './partition-pieces.ts';

describe('shards', () => {
  it('places a member by the MD5 of its id (values from Python hashlib)', async () => {
    // Python: hashlib.md5(b'M00000001') starts 5593059d (1,435,698,589 % 3 = 1), b'M00000002' starts
    // 004c75a3 (5,010,851 % 3 = 2), b'M00000003' starts f5683fb9 (4,117,249,977 % 4 = 1).
    const rows = await queryRows(`SELECT ${shardOfSql("'M00000001'", 3)} AS a, ${shardOfSql("'M00000002'", 3)} AS b, ${shardOfSql("'M00000003'", 4)} AS c`);
    expect(rows[0]).toEqual({ a: 1, b: 2, c: 1 });
  });

  it("splits every member into one shard, and the merged shard histories equal the whole plan's", async () => {
    const data = tempDir('shard-plan');
    await generatePopulation({ members: 2000, firstYear: 2022, lastYear: 2025, seed: 6, out: data });
    const whole = tempDir('shard-whole');
    await computeHistory({ data, firstYear: 2022, lastYear: 2025, out: whole, annualBaseRate: 10402.34 });
    const root = tempDir('shards');
    const p = await partitionData(data, root, 3);
    const [all] = await queryRows(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(join(data, 'members.parquet'))})`);
    expect(p.members.reduce((a, b) => a + b, 0)).toBe(all!.n);
    expect(Math.min(...p.members)).toBeGreaterThan(500);
    // As the queued flow reads them: the shards' files are not checked again.
    for (const dir of p.dirs) await computeHistory({ data: dir, checked: true, firstYear: 2022, lastYear: 2025, out: join(dir, 'history'), annualBaseRate: 10402.34 });
    const merged = tempDir('shard-merged');
    const inShards = (f: string): string[] => p.dirs.map((d) => join(d, 'history', f));
    await mergeShardFiles(inShards('raf_history.parquet'), join(merged, 'raf_history.parquet'), 'member_id, year');
    await mergeShardFiles(inShards('raf_hcc.parquet'), join(merged, 'raf_hcc.parquet'), 'member_id, year, model, hcc');
    for (const f of ['raf_history.parquet', 'raf_hcc.parquet']) expect(readFileSync(join(merged, f)).equals(readFileSync(join(whole, f))), f).toBe(true);
  }, 120_000);

  it('carries the optional files: pharmacy and labs by member, providers whole in every shard and read once', async () => {
    const data = tempDir('shard-plan');
    await generatePopulation({ members: 300, firstYear: 2025, lastYear: 2025, seed: 6, out: data, evidence: true });
    const p = await partitionData(data, tempDir('shards'), 2);
    const count = async (sql: string): Promise<number> => Number((await queryRows(`SELECT count(*)::INTEGER AS n FROM ${sql}`))[0]!.n);
    const inData = (t: string): string => `read_parquet(${sqlString(join(data, `${t}.parquet`))})`;
    const inShard = (dir: string, t: TableName): string => `(SELECT * EXCLUDE (_row) FROM read_parquet([${shardTableFiles(dir, t)!.map(sqlString).join(', ')}]))`;
    for (const t of ['pharmacy', 'labs'] as const) {
      // Every row in one shard, the shard of its member.
      expect(await count(`(SELECT * FROM ${inShard(p.dirs[0]!, t)} UNION ALL SELECT * FROM ${inShard(p.dirs[1]!, t)})`), t).toBe(await count(inData(t)));
      for (const dir of p.dirs) expect(await count(`${inShard(dir, t)} WHERE member_id NOT IN (SELECT member_id FROM ${inShard(dir, 'members')})`), t).toBe(0);
    }
    const providers = await count(inData('providers'));
    for (const dir of p.dirs) expect(await count(inShard(dir, 'providers'))).toBe(providers);
    const db = await openDuckDb();
    try {
      await attachCheckedData(db.connection, p.dirs);
      const n = async (t: string): Promise<number> => Number((await db.connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${t}`)).getRowObjectsJson()[0]!.n);
      expect([await n('providers'), await n('pharmacy'), await n('labs')]).toEqual([providers, await count(inData('pharmacy')), await count(inData('labs'))]);
    } finally {
      db.close();
    }
  }, 120_000);
});
