// One place that opens DuckDB (in memory) for Parquet reading and writing and heavy grouping.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface DuckDbOptions {
  /** DuckDB's memory limit, such as '3GB' (default: DuckDB's, 80% of the machine's memory). */
  memoryLimit?: string;
}

export async function openDuckDb(opts: DuckDbOptions = {}): Promise<{ connection: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:', opts.memoryLimit ? { memory_limit: opts.memoryLimit } : {});
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
