// Small DuckDB helpers for tests: one query's rows, and a copy of a plan's files with some claims left out.
import { join } from 'node:path';
import { openDuckDb, sqlString } from '../data/duckdb.ts';

/** The rows of one query, as plain objects (BIGINT as text, as getRowObjectsJson gives them). */
export async function queryRows(sql: string): Promise<Record<string, unknown>[]> {
  const db = await openDuckDb();
  try {
    return (await db.connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** Copies members, enrollment and claims (Parquet) from `from` to `to`, keeping the claims where `keepClaims` holds. */
export async function copyPlan(from: string, to: string, keepClaims: string): Promise<void> {
  const db = await openDuckDb();
  try {
    for (const f of ['members', 'enrollment']) {
      await db.connection.run(`COPY (SELECT * FROM read_parquet(${sqlString(join(from, `${f}.parquet`))})) TO ${sqlString(join(to, `${f}.parquet`))} (FORMAT parquet)`);
    }
    await db.connection.run(
      `COPY (SELECT * FROM read_parquet(${sqlString(join(from, 'claims.parquet'))}) WHERE ${keepClaims}) TO ${sqlString(join(to, 'claims.parquet'))} (FORMAT parquet)`,
    );
  } finally {
    db.close();
  }
}

/** Copies one Parquet file's rows to `to` (without the source's key-value metadata). */
export async function copyParquet(from: string, to: string): Promise<void> {
  const db = await openDuckDb();
  try {
    await db.connection.run(`COPY (SELECT * FROM read_parquet(${sqlString(from)})) TO ${sqlString(to)} (FORMAT parquet)`);
  } finally {
    db.close();
  }
}
