// One place that opens DuckDB (in memory) for Parquet reading and writing and heavy grouping,
// and writes query results to files atomically. What DuckDB spills goes to a private folder of
// the system's temporary one, removed on close or exit (temporary-files.ts), never `.tmp` in the
// working folder, DuckDB's default.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { chmod, rename, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { OUTPUT_FILE_MODE, settleTemporaryPath, temporaryPathFor } from './atomic-file.ts';
import { forgetTemporaryPath, trackTemporaryPath } from './temporary-files.ts';

export interface DuckDbOptions {
  /** DuckDB's memory limit, such as '3GB' (default: DuckDB's, 80% of the machine's memory). */
  memoryLimit?: string;
  /** Where DuckDB spills what does not fit in memory (default: rafcast-spill-<pid>-<random> in the system's temporary folder, made by DuckDB only when it spills, removed on close). */
  tempDirectory?: string;
  /** A database file instead of memory: its tables can then leave memory when they outgrow it. */
  path?: string;
}

export async function openDuckDb(opts: DuckDbOptions = {}): Promise<{ connection: DuckDBConnection; close: () => void }> {
  const config: Record<string, string> = {};
  if (opts.memoryLimit) config.memory_limit = opts.memoryLimit;
  const spill = opts.tempDirectory ? undefined : join(tmpdir(), `rafcast-spill-${process.pid}-${randomBytes(4).toString('hex')}`);
  config.temp_directory = opts.tempDirectory || spill!;
  if (spill !== undefined) trackTemporaryPath(spill);
  const instance = await DuckDBInstance.create(opts.path ?? ':memory:', config);
  const connection = await instance.connect();
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
      if (spill !== undefined) {
        rmSync(spill, { recursive: true, force: true });
        forgetTemporaryPath(spill);
      }
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
