// Stages a Parquet file as CSV (DuckDB, rows in order) so its rows can take the text path that
// worker threads score in parallel; the staged file is read while DuckDB writes it.
import { join } from 'node:path';
import { InputError } from './errors.ts';
import { openDuckDb, sqlIdent, sqlString } from './duckdb.ts';
import { makeWorkFolder, removeWorkFolder } from './temporary-files.ts';

/** A Parquet file being converted to CSV; read it with openStagedSource (record-readers.ts) while it is written. */
export interface StagedParquet {
  path: string;
  /** Rows of the Parquet file. */
  rows: number;
  /** Settles when the CSV is complete; rejects when the conversion failed. */
  written: Promise<void>;
  /** Waits for the conversion to stop, then removes the staged file. */
  cleanup: () => Promise<void>;
}

/**
 * Converts a Parquet file to CSV in a private temporary folder (DuckDB, multi-threaded, rows in
 * order), so its rows can take the CSV path; list columns become "|"-separated text. Returns as
 * soon as the conversion starts: the reader follows the file as DuckDB writes it.
 */
export async function stageParquetAsCsv(path: string): Promise<StagedParquet> {
  const dir = makeWorkFolder('rafcast-stage-');
  const staged = join(dir, 'staged.csv');
  const db = await openDuckDb();
  const fail = (e: unknown): InputError => new InputError(`cannot read Parquet: ${(e as Error).message}`, { file: path });
  let select: string;
  let rows: number;
  try {
    const desc = await db.connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
    select = desc
      .getRowObjectsJson()
      .map((r) => {
        const name = sqlIdent(String(r.column_name));
        return String(r.column_type).endsWith('[]') ? `array_to_string(${name}, '|') AS ${name}` : name;
      })
      .join(', ');
    const count = await db.connection.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlString(path)})`);
    rows = Number(count.getRowObjectsJson()[0]?.n ?? 0);
  } catch (e) {
    db.close();
    await removeWorkFolder(dir);
    throw fail(e);
  }
  const written = db.connection
    .run(`COPY (SELECT ${select} FROM read_parquet(${sqlString(path)})) TO ${sqlString(staged)} (HEADER, DELIMITER ',')`)
    .then(
      () => undefined,
      (e: unknown) => {
        throw fail(e);
      },
    )
    .finally(() => db.close());
  // Nobody may be reading yet when it fails; the reader and cleanup see the failure.
  written.catch(() => undefined);
  return {
    path: staged,
    rows,
    written,
    cleanup: async () => {
      await written.catch(() => undefined);
      await removeWorkFolder(dir);
    },
  };
}
