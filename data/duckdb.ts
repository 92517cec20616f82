// One place that opens DuckDB (in memory) for Parquet reading and writing and heavy grouping,
// and writes query results to files atomically. What DuckDB spills goes to a private folder of
// the system's temporary one, removed on close or exit (temporary-files.ts), never `.tmp` in the
// working folder, DuckDB's default.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { chmod, rename, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api';
import { OUTPUT_FILE_MODE, settleTemporaryPath, temporaryPathFor } from './atomic-file.ts';
import { engineThreads } from './engine-threads.ts';
import { asIoError, duckDbIoMessage, IoError } from './errors.ts';
import { forgetTemporaryPath, trackTemporaryPath } from './temporary-files.ts';

export interface DuckDbOptions {
  /** DuckDB's memory limit, such as '3GB' (default: DuckDB's, 80% of the machine's memory). */
  memoryLimit?: string;
  /** Where DuckDB spills what does not fit in memory (default: rafcast-spill-<pid>-<random> in the system's temporary folder, made by DuckDB only when it spills, removed on close). */
  tempDirectory?: string;
  /** A database file instead of memory: its tables can then leave memory when they outgrow it. */
  path?: string;
}

/** An instance and one connection to it; `instance` makes more (a second connection for writes that reads must not see inside a transaction). */
export async function openDuckDb(opts: DuckDbOptions = {}): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection; close: () => void }> {
  const config: Record<string, string> = {};
  if (opts.memoryLimit) config.memory_limit = opts.memoryLimit;
  // A worker limited to a number of threads (rafcast worker --threads): DuckDB too.
  const threads = engineThreads();
  if (threads !== undefined) config.threads = String(threads);
  const spill = opts.tempDirectory ? undefined : join(tmpdir(), `rafcast-spill-${process.pid}-${randomBytes(4).toString('hex')}`);
  config.temp_directory = opts.tempDirectory || spill!;
  if (spill !== undefined) trackTemporaryPath(spill);
  const instance = await DuckDBInstance.create(opts.path ?? ':memory:', config);
  const connection = await instance.connect();
  return {
    instance,
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

/** Streams a query's result to `take` a chunk (about 2,048 rows) at a time, awaiting each: nothing but the chunk is held. */
export async function forEachChunk(conn: DuckDBConnection, sql: string, take: (chunk: DuckDBDataChunk) => void | Promise<void>): Promise<void> {
  const result = await conn.stream(sql);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    await take(chunk);
  }
}

/** Quotes a string as a SQL literal. */
/** Which of `names` are tables or views on `conn` (temporary ones included). */
export async function existingRelations(conn: DuckDBConnection, names: readonly string[]): Promise<Set<string>> {
  const list = names.map(sqlString).join(', ');
  const rows = await conn.runAndReadAll(
    `SELECT table_name AS n FROM duckdb_tables() WHERE table_name IN (${list}) UNION SELECT view_name FROM duckdb_views() WHERE view_name IN (${list})`,
  );
  return new Set(rows.getRowObjectsJson().map((r) => String(r.n)));
}

export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A column or table name quoted for SQL (a double quote inside doubled). */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Writes a query's rows to a file by DuckDB COPY, atomically and owner-only. */
export async function copyAtomically(
  conn: DuckDBConnection,
  sql: string,
  path: string,
  format: 'csv' | 'parquet',
  metadata?: Record<string, string>,
  /** Parquet's codec: zstd (the default) for outputs; lz4 for a private working copy read soon after (STAGING_COMPRESSION). */
  compression: 'zstd' | 'lz4' = 'zstd',
): Promise<void> {
  const tmp = temporaryPathFor(path);
  // Parquet key-value metadata (for example the data cut-off a feature table was built with) travels with the file.
  const kv = metadata === undefined ? '' : `, KV_METADATA {${Object.entries(metadata).map(([k, v]) => `${k}: ${sqlString(v)}`).join(', ')}}`;
  try {
    await conn.run(
      `COPY (${sql}) TO ${sqlString(tmp)} (${format === 'csv' ? "FORMAT csv, HEADER, DELIMITER ','" : `FORMAT parquet, COMPRESSION ${compression}${kv}`})`,
    );
    await chmod(tmp, OUTPUT_FILE_MODE);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw duckDbIoError(e, 'cannot write', path);
  } finally {
    settleTemporaryPath(tmp);
  }
}

/**
 * An IoError for a file-system failure, whether Node's (asIoError) or DuckDB's ("IO Error: Cannot
 * open file ...: Permission denied": its last part, in lower case, says why); any other error unchanged.
 */
export function duckDbIoError(e: unknown, what: string, path: string): unknown {
  const message = duckDbIoMessage(e);
  if (message === undefined) return asIoError(e, what, path);
  const why = message.split(/:\s*/).pop()!.trim().toLowerCase() || 'input/output error';
  return new IoError(what, path, why, !/no space/.test(why));
}
