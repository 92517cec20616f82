// Per-member figures lined up with a list of member ids (a feature table's rows, in their order)
// without a JavaScript map per read (issue 20, memory at scale). The ids go to DuckDB once, as a
// table of (member_id, i), i being the member's place in the list; every read joins to
// it inside DuckDB, held to its memory limit and spilling beyond it, and fills typed arrays by i,
// chunk by chunk. Reading a year of the history into a Map of row objects, as the evaluation did,
// held about 0.3 GB a read at 1,000,000 members, and five times that at 5,000,000.
import type { DuckDBConnection } from '@duckdb/node-api';
import { forEachChunk } from './duckdb.ts';
import { ConfigError } from './errors.ts';

/** The members of a list of ids as a DuckDB table `table(member_id VARCHAR, i INTEGER)`. */
export interface MemberIndex {
  readonly table: string;
  /** How many ids: the length of every array a read returns. */
  readonly n: number;
}

/** Whether `members` is an index already in DuckDB rather than a list of ids. */
export const isMemberIndex = (members: readonly string[] | MemberIndex): members is MemberIndex => !Array.isArray(members);

/**
 * Loads `ids` into the table `table` (replaced), i their place in `ids`: a table of the database
 * (in a run's work database, data/staged-contract.ts openWorkDb, a file), as the other large
 * intermediate tables of the dollars job and the list.
 */
export async function createMemberIndex(conn: DuckDBConnection, ids: readonly string[], table: string): Promise<MemberIndex> {
  await conn.run(`CREATE OR REPLACE TABLE ${table} (member_id VARCHAR, i INTEGER)`);
  const appender = await conn.createAppender(table);
  try {
    for (let i = 0; i < ids.length; i++) {
      appender.appendVarchar(ids[i]!);
      appender.appendInteger(i);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return { table, n: ids.length };
}

/**
 * The columns of a query whose first column is a member's place i in `index` and whose next
 * `width` columns are numbers (DOUBLE, or anything DuckDB returns as a JavaScript number; NULL
 * reads as NaN), as one Float64Array per column of index.n values; a member without a row keeps
 * `absent`. A place given twice is an error naming `source`: every read is one row per member.
 */
export async function readByIndex(
  conn: DuckDBConnection,
  sql: string,
  index: MemberIndex,
  width: number,
  { absent = NaN, source = 'a read by member' }: { absent?: number; source?: string } = {},
): Promise<Float64Array[]> {
  const out = Array.from({ length: width }, () => new Float64Array(index.n).fill(absent));
  const seen = new Uint8Array(index.n);
  await forEachChunk(conn, sql, (chunk) => {
    const at = chunk.getColumnVector(0);
    const columns = out.map((_, j) => chunk.getColumnVector(j + 1));
    for (let r = 0; r < chunk.rowCount; r++) {
      const i = at.getItem(r) as number;
      if (seen[i] === 1) throw new ConfigError(`${source} gives one member twice (the member at place ${i + 1} of ${index.n})`);
      seen[i] = 1;
      for (let j = 0; j < width; j++) {
        const v = columns[j]!.getItem(r);
        out[j]![i] = v === null ? NaN : Number(v);
      }
    }
  });
  return out;
}

/**
 * Each row of a query whose first column is a member's place i in an index, with the row's other
 * values (DuckDB's: VARCHAR as string, INTEGER as number, NULL as null), chunk by chunk: what a
 * read keeps is the caller's to choose, nothing is held by member id.
 */
export async function forEachRowByIndex(conn: DuckDBConnection, sql: string, take: (i: number, values: readonly unknown[]) => void): Promise<void> {
  await forEachChunk(conn, sql, (chunk) => {
    for (let r = 0; r < chunk.rowCount; r++) {
      const row = chunk.getRowValues(r);
      take(row[0] as number, row.slice(1));
    }
  });
}

/** The member ids a query of one VARCHAR column gives, in its order (a list to index). */
export async function readIds(conn: DuckDBConnection, sql: string): Promise<string[]> {
  const ids: string[] = [];
  await forEachChunk(conn, sql, (chunk) => {
    const id = chunk.getColumnVector(0);
    for (let r = 0; r < chunk.rowCount; r++) ids.push(id.getItem(r) as string);
  });
  return ids;
}
