// One place that opens DuckDB (in memory) for Parquet reading and writing and heavy grouping,
// and writes query results to files atomically.
import { chmod, rename, unlink } from 'node:fs/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { OUTPUT_FILE_MODE, settleTemporaryPath, temporaryPathFor } from './atomic-file.ts';

export interface DuckDbOptions {
  /** DuckDB's memory limit, such as '3GB' (default: DuckDB's, 80% of the machine's memory). */
  memoryLimit?: string;
  /** Where DuckDB spills what does not fit in memory (default: DuckDB's, `.tmp` in the working folder). */
  tempDirectory?: string;
  /** A database file instead of memory: its tables can then leave memory when they outgrow it. */
  path?: string;
}

export async function openDuckDb(opts: DuckDbOptions = {}): Promise<{ connection: DuckDBConnection; close: () => void }> {
  const config: Record<string, string> = {};
  if (opts.memoryLimit) config.memory_limit = opts.memoryLimit;
  if (opts.tempDirectory) config.temp_directory = opts.tempDirectory;
  const instance = await DuckDBInstance.create(opts.path ?? ':memory:', config);
  const connection = await instance.connect();
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Quotes a string as a SQL literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Writes a query's rows to a file by DuckDB COPY, atomically and owner-only. */
export async function copyAtomically(conn: DuckDBConnection, sql: string, path: string, format: 'csv' | 'parquet'): Promise<void> {
  const tmp = temporaryPathFor(path);
  try {
    await conn.run(
      `COPY (${sql}) TO ${sqlString(tmp)} (${format === 'csv' ? "FORMAT csv, HEADER, DELIMITER ','" : 'FORMAT parquet, COMPRESSION zstd'})`,
    );
    await chmod(tmp, OUTPUT_FILE_MODE);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  } finally {
    settleTemporaryPath(tmp);
  }
}
