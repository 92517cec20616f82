// Where a loaded file's rejected rows go and how they are written (load-contract-file.ts): the
// quarantine file's path, the rows that cannot be rows streamed to it in row order, rows added to
// a structure table by DuckDB's appender, and the error when too many are rejected.
import type { DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { AtomicFileWriter } from './atomic-file.ts';
import type { TableSpec } from './contract.ts';
import { csvField } from './csv.ts';
import { asIoError, RafcastError } from './errors.ts';
import { ROW_REASONS, scanCsvRows } from './text-rows.ts';

/** The share of a file's rows above which rejected rows stop its load, a run's partition and `rafcast score`. */
export const DEFAULT_MAX_REJECTED_SHARE = 0.5;

/**
 * Where a file's rejected rows go: `quarantine` when given, else `<rejectedDir>/<table>.rejected.csv`,
 * else `<file>.rejected.csv` beside the input.
 */
export function quarantinePath(spec: TableSpec, path: string, opts: { quarantine?: string | undefined; rejectedDir?: string | undefined }): string {
  if (opts.quarantine !== undefined) return opts.quarantine;
  if (opts.rejectedDir !== undefined) return join(opts.rejectedDir, `${spec.name}.rejected.csv`);
  return `${path}.rejected.csv`;
}

export function tooManyRejected(count: string, rows: number, path: string, maxShare: number, quarantine: string, what = 'were rejected'): RafcastError {
  return new RafcastError(
    'E_TOO_MANY_REJECTED',
    `${count} of ${rows} rows of ${path} ${what} (more than ${Math.round(maxShare * 100)}%, --max-rejected-share ${maxShare}); reasons are in ${quarantine}`,
  );
}

/**
 * Writes the quarantine file of the rows that cannot be rows (empty, or a wrong number of
 * fields), found by a second scan, streamed to the file in row order: memory stays flat.
 */
export async function writeUnreadableRows(path: string, fields: number, emptyRows: readonly number[], quarantine: string): Promise<void> {
  let out: AtomicFileWriter | undefined;
  try {
    out = await AtomicFileWriter.open(quarantine);
    const file = csvField(path);
    await out.write('file,row,field,reason\n');
    let e = 0;
    const writeEmptyBefore = async (row: number): Promise<void> => {
      for (; e < emptyRows.length && emptyRows[e]! < row; e++) await out!.write(`${file},${emptyRows[e]},,${ROW_REASONS.empty}\n`);
    };
    await scanCsvRows(path, fields, async (row, reason) => {
      await writeEmptyBefore(row);
      await out!.write(`${file},${row},,${csvField(reason)}\n`);
    });
    await writeEmptyBefore(Infinity);
    await out.commit();
  } catch (err) {
    await out?.abort();
    throw asIoError(err, 'cannot write the rejected rows to', quarantine);
  }
}

/** Adds rows (row number, no field, reason) to a temporary structure table, by DuckDB's appender. */
export async function insertRows(conn: DuckDBConnection, table: string, rows: readonly number[], reason: (k: number) => string): Promise<void> {
  if (rows.length === 0) return;
  const appender = await conn.createAppender(table, 'main', 'temp');
  try {
    for (let k = 0; k < rows.length; k++) {
      appender.appendBigInt(BigInt(rows[k]!));
      appender.appendVarchar('');
      appender.appendVarchar(reason(k));
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
