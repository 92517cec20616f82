// A run's scores file (`rafcast predict`, a queued run's scores job): member_id, probability, rank
// and decile over every member, with the run that made it; and the merge of shards' scores into
// one file ranked over every member, as one process scoring the whole plan writes it.
import { existsSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { OUTPUT_FILE_MODE, temporaryPathFor } from '../data/atomic-file.ts';
import { copyAtomically, sqlString } from '../data/duckdb.ts';
import { ConfigError } from '../data/errors.ts';
import { openWorkDb } from '../data/staged-contract.ts';
import { forEachIdValue } from './dataset.ts';
import { decilesOf, rankOrder } from './metrics.ts';

/**
 * DuckDB's memory in a model run: less than the 4 GB of history and features, as the feature
 * matrices (650 MB a year at a million members) and TensorFlow.js share the process.
 */
export const MODEL_RUN_MEMORY_LIMIT = '3GB';

/**
 * DuckDB's memory while a feature matrix fills from it (model-run.ts readMatrix): its sorted copy
 * of the table and the matrix would otherwise be in memory together, 3 GB and 3.3 GB at
 * 5,000,000 members (issue 20: 6 GiB a process). What does not fit spills to disk.
 */
export const MATRIX_READ_MEMORY_LIMIT = '1GB';

/**
 * Merges the scores of a run's shards (`rafcast predict` outputs, each ranked within its shard)
 * into one file ranked over every member, as one process scoring the whole plan writes it.
 */
export async function mergeScores(files: readonly string[], out: string): Promise<void> {
  for (const f of files) if (!existsSync(f)) throw new ConfigError(`${f} is missing: its shard has not finished`);
  const db = await openWorkDb(undefined, MODEL_RUN_MEMORY_LIMIT);
  try {
    const source = `read_parquet([${files.map(sqlString).join(', ')}])`;
    const meta = (await db.conn.runAndReadAll(`SELECT DISTINCT as_of, model, run_id, backend FROM ${source}`)).getRowObjectsJson();
    if (meta.length !== 1) throw new ConfigError(`the shards' scores come from different runs or backends: ${JSON.stringify(meta)}`);
    const ids: string[] = [];
    const values: number[] = [];
    await forEachIdValue(db.conn, `SELECT member_id, probability::DOUBLE AS p FROM ${source} ORDER BY member_id`, (id, p) => {
      ids.push(id);
      values.push(p);
    });
    const m = meta[0]!;
    await writeScores(db.conn, ids, Float32Array.from(values), out, { asOf: Number(m.as_of), model: String(m.model), runId: String(m.run_id), backend: String(m.backend) });
  } finally {
    await db.close();
  }
}

/** Writes member_id, probability, rank and decile (CSV or Parquet by extension), ranked. */
export async function writeScores(
  conn: DuckDBConnection,
  ids: readonly string[],
  prob: Float32Array,
  out: string,
  meta: { model: string; runId: string; asOf: number; backend: string },
): Promise<void> {
  const order = rankOrder(prob);
  const deciles = decilesOf(prob, order);
  const lines: string[] = [];
  order.forEach((i, r) => lines.push(`${JSON.stringify(ids[i])},${prob[i]},${r + 1},${deciles[i]}`));
  const tmpCsv = temporaryPathFor(`${out}.scores.csv`);
  await writeFile(tmpCsv, `${lines.join('\n')}\n`, { mode: OUTPUT_FILE_MODE });
  try {
    const format = out.endsWith('.parquet') ? 'parquet' : 'csv';
    await copyAtomically(
      conn,
      `SELECT member_id, probability, rank, decile, ${meta.asOf} AS as_of, ${sqlString(meta.model)} AS model, ${sqlString(meta.runId)} AS run_id,
              ${sqlString(meta.backend)} AS backend
       FROM read_csv(${sqlString(tmpCsv)}, header = false, auto_detect = false, quote = '"', escape = '"',
         columns = {'member_id': 'VARCHAR', 'probability': 'DOUBLE', 'rank': 'INTEGER', 'decile': 'INTEGER'}) ORDER BY rank`,
      out,
      format,
    );
  } finally {
    await unlink(tmpCsv).catch(() => undefined);
  }
}

