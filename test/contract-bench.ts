// The bench of the contract-loading tests (data/load-contract-file.test.ts,
// data/load-evidence-files.test.ts): a DuckDB connection and an empty folder made fresh for each
// test, the input files written into that folder, the quarantine file's lines and a query's rows.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach } from 'vitest';
import { openDuckDb } from '../data/duckdb.ts';
import { tempDir } from './temp-dir.ts';

export interface ContractBench {
  /** This test's connection (a new in-memory database per test). */
  readonly conn: DuckDBConnection;
  /** This test's folder, under the system's temporary folder. */
  readonly dir: string;
  /** Writes `text` to `<dir>/<name>` and returns the path. */
  write(name: string, text: string): string;
  /** The rows of one query on this test's connection. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
}

/**
 * Registers the hooks that open a database and make a folder (`rafcast-<what>-XXXXXX`) before
 * each test and close the database after it. Call at the top of a test file, before the file's
 * own beforeEach hooks, which then find the bench ready.
 */
export function useContractBench(what: string): ContractBench {
  let db: Awaited<ReturnType<typeof openDuckDb>> | undefined;
  let dir: string | undefined;
  beforeEach(async () => {
    db = await openDuckDb();
    dir = tempDir(what);
  });
  afterEach(() => db?.close());
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the contract bench is used outside a test (useContractBench registers beforeEach)');
    return v;
  };
  const bench: ContractBench = {
    get conn() {
      return ready(db).connection;
    },
    get dir() {
      return ready(dir);
    },
    write(name, text) {
      const p = join(ready(dir), name);
      writeFileSync(p, text);
      return p;
    },
    async rows(sql) {
      return (await ready(db).connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
    },
  };
  return bench;
}

/** The quarantined lines of `<path>.rejected.csv`, without its header. */
export const rejectedLines = (path: string): string[] => readFileSync(`${path}.rejected.csv`, 'utf8').trim().split('\n').slice(1);
