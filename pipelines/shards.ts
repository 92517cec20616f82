// Shards for the queued pipeline (issue 7): members are split into N shards by a stable hash of
// their id, so that per-shard stages (history, features, prediction) can run on different
// workers, and their outputs merge into exactly what one process would have written.
import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableSpec } from '../data/contract.ts';
import { copyAtomically, sqlString } from '../data/duckdb.ts';
import { ConfigError } from '../data/errors.ts';
import type { LoadSummary } from '../data/load-contract-file.ts';
import { openWorkDb } from '../data/staged-contract.ts';

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
 * Writes one table's rows of a shard (`rows`: a query of accepted rows with their row in the
 * contract's file, `row`), as `_row`, in row order, atomically. A shard holds each table as a
 * folder of such files (`shardTableFiles`), one per piece of the partition in the file's order.
 * Claims keep `_row` in their view (the history's eligibility rules key on it); the partition's
 * merge reads every table's to find what spans pieces (partition-pieces.ts).
 */
export async function writeShardTable(conn: DuckDBConnection, spec: TableSpec, rows: string, path: string): Promise<void> {
  await copyAtomically(conn, `SELECT ${spec.fields.map((f) => `"${f.name}"`).join(', ')}, row AS _row FROM (${rows}) ORDER BY row`, path, 'parquet');
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
