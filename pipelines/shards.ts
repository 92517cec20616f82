// Shards for the queued pipeline (issue 7): members are split into N shards by a stable hash of
// their id, so that per-shard stages (history, features, prediction) can run on different
// workers, and their outputs merge into exactly what one process would have written.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTRACT, OPTIONAL_TABLES, REQUIRED_TABLES } from '../data/contract.ts';
import { copyAtomically, sqlString } from '../data/duckdb.ts';
import { ConfigError } from '../data/errors.ts';
import type { LoadSummary } from '../data/load-contract-file.ts';
import { loadStagedContract, openWorkDb, wholeInEveryShard } from '../data/staged-contract.ts';
import { findDataFiles, findOptionalDataFiles } from '../data/contract-files.ts';
import { shardDir } from './run-keys.ts';

/**
 * SQL: the shard (0..n-1) of a member id: the first 8 hex digits of its MD5 as a number, modulo
 * n. MD5 is fixed by its standard, so a member lands in the same shard on every machine and
 * DuckDB version (DuckDB's own hash() makes no such promise).
 */
export function shardOfSql(memberId: string, n: number): string {
  return `(('0x' || left(md5(${memberId}), 8))::UBIGINT % ${n})::INTEGER`;
}


export interface PartitionSummary {
  shards: number;
  loaded: LoadSummary[];
  /** Members per shard. */
  members: number[];
  dirs: string[];
}

/**
 * Checks the contract's files once (quarantines beside them, as `rafcast load`) and writes each
 * shard's accepted members, enrollment and claims (and the optional pharmacy and labs the data
 * folder has; providers whole) as Parquet to `<root>/shard-NNN/`, which later
 * stages read without checking again. A shard folder is
 * written whole under a temporary name and renamed into place: a stopped run leaves none half-done.
 */
export async function partitionData(data: string, root: string, n: number, memoryLimit?: string, rejectedDir?: string): Promise<PartitionSummary> {
  if (!Number.isInteger(n) || n < 1 || n > 999) throw new ConfigError(`--shards must be a whole number from 1 to 999, found ${n}`);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const db = await openWorkDb(root, memoryLimit);
  try {
    // Rejected rows go to rejectedDir (a run: --rejected, else the run folder), never beside the input.
    const files = { ...findDataFiles(data), ...findOptionalDataFiles(data) };
    const loaded = await loadStagedContract(db.conn, files, db.work, { rejectedDir: rejectedDir ?? root });
    const tables = [...REQUIRED_TABLES, ...OPTIONAL_TABLES.filter((t) => files[t] !== undefined)];
    // Claims keep `_row`, their row in the contract's file: the history's eligibility rules key on it.
    const columns = (name: (typeof tables)[number]): string => [...CONTRACT[name].fields.map((f) => `"${f.name}"`), ...(name === 'claims' ? ['_row'] : [])].join(', ');
    // Each row's shard, computed once (an MD5 a row) into a table in the file's order, which each
    // shard's pass filters on an integer: hashing every row once per shard cost as much again as
    // the checks at 16 shards. A table that names no member (providers) goes whole to every shard.
    const source = new Map<string, string>();
    for (const name of tables) {
      if (n === 1 || wholeInEveryShard(CONTRACT[name])) source.set(name, name);
      else {
        await db.conn.run(`CREATE OR REPLACE TEMP TABLE _by_shard_${name} AS SELECT ${columns(name)}, ${shardOfSql('member_id', n)} AS _shard FROM ${name}`);
        source.set(name, `_by_shard_${name}`);
      }
    }
    const members: number[] = [];
    const dirs: string[] = [];
    for (let k = 0; k < n; k++) {
      const dir = shardDir(root, k);
      const tmp = `${dir}.tmp`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true, mode: 0o700 });
      for (const name of tables) {
        const from = source.get(name)!;
        const where = from === name ? '' : ` WHERE _shard = ${k}`;
        await copyAtomically(db.conn, `SELECT ${columns(name)} FROM ${from}${where}`, join(tmp, `${name}.parquet`), 'parquet');
      }
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
      const count = await db.conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(join(dir, 'members.parquet'))})`);
      members.push(Number(count.getRowObjectsJson()[0]!.n));
      dirs.push(dir);
    }
    return { shards: n, loaded, members, dirs };
  } finally {
    await db.close();
  }
}

/**
 * Merges per-shard Parquet outputs into one file, ordered as one process orders it, written
 * atomically; Parquet key-value metadata every shard's file holds with the same value (a feature
 * table's data cut-off) is kept.
 */
export async function mergeShardFiles(files: readonly string[], out: string, orderBy: string): Promise<void> {
  for (const f of files) if (!existsSync(f)) throw new ConfigError(`${f} is missing: its shard has not finished`);
  const db = await openWorkDb(undefined);
  try {
    const kv = (
      await db.conn.runAndReadAll(
        `SELECT decode(key) AS k, min(decode(value)) AS v FROM parquet_kv_metadata([${files.map(sqlString).join(', ')}]) ` +
          `GROUP BY k HAVING count(DISTINCT file_name) = ${files.length} AND count(DISTINCT decode(value)) = 1 ORDER BY k`,
      )
    ).getRowObjectsJson();
    const shared = kv.length === 0 ? undefined : Object.fromEntries(kv.map((r) => [String(r.k), String(r.v)]));
    await copyAtomically(db.conn, `SELECT * FROM read_parquet([${files.map(sqlString).join(', ')}]) ORDER BY ${orderBy}`, out, 'parquet', shared);
  } finally {
    await db.close();
  }
}
