// Feature rows into a float matrix, and the label: RAF_T in the top 20% of RAF_T over the members
// who have one. Ties at the cut are broken by member id so the label is exact and reproducible.
import type { DuckDBConnection } from '@duckdb/node-api';
import { forEachChunk, sqlString } from '../data/duckdb.ts';
import { createMemberIndex, readByIndex } from '../data/member-index.ts';
import type { FeatureSchema } from '../features/schema.ts';
import type { Matrix } from './standardization.ts';
import { listSize } from './metrics.ts';

export interface FeatureRows {
  ids: string[];
  /** The columns of x in order: the schema's, or those asked for. */
  names: readonly string[];
  x: Matrix;
}

/** The column of `rows.x` holding a feature. */
export function columnOf(rows: Pick<FeatureRows, 'names'>, name: string): number {
  const j = rows.names.indexOf(name);
  if (j < 0) throw new Error(`the feature rows have no ${name}`);
  return j;
}

/**
 * Reads a feature table (member_id, then the schema's columns) in member id order: every column
 * of the schema, or `names` only (a reader that needs a few: the whole matrix is 3.3 GB at
 * 5,000,000 members).
 */
export async function readFeatureRows(conn: DuckDBConnection, table: string, schema: FeatureSchema, names: readonly string[] = schema.names): Promise<FeatureRows> {
  for (const name of names) if (!schema.names.includes(name)) throw new Error(`the feature schema has no ${name}`);
  const cols = names.map((n) => `"${n}"::FLOAT`).join(', ');
  const n = Number((await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${table}`)).getRowObjectsJson()[0]!.n);
  const d = names.length;
  const values = new Float32Array(n * d);
  const ids: string[] = [];
  let row = 0;
  await forEachChunk(conn, `SELECT member_id, ${cols} FROM ${table} ORDER BY member_id`, (chunk) => {
    const m = chunk.rowCount;
    const idVector = chunk.getColumnVector(0);
    for (let i = 0; i < m; i++) ids.push(idVector.getItem(i) as string);
    // Cell by cell from the column vectors: no array of boxed values per column.
    for (let j = 0; j < d; j++) {
      const vector = chunk.getColumnVector(j + 1);
      for (let i = 0; i < m; i++) values[(row + i) * d + j] = vector.getItem(i) as number;
    }
    row += m;
  });
  return { ids, names, x: { rows: n, cols: d, values } };
}

/** Streams the rows of a query of two columns, a member id and a DOUBLE, to `take`, chunk by chunk. */
export async function forEachIdValue(conn: DuckDBConnection, sql: string, take: (id: string, value: number) => void): Promise<void> {
  await forEachChunk(conn, sql, (chunk) => {
    const id = chunk.getColumnVector(0);
    const value = chunk.getColumnVector(1);
    for (let i = 0; i < chunk.rowCount; i++) take(id.getItem(i) as string, value.getItem(i) as number);
  });
}

/** RAF_y per member of `ids` from raf_history.parquet (NaN when the member has no row that year), by their place (data/member-index.ts). */
export async function readRaf(conn: DuckDBConnection, historyFile: string, year: number, ids: readonly string[]): Promise<Float64Array> {
  const index = await createMemberIndex(conn, ids, '_raf_members');
  const sql = `SELECT x.i, h.raf::DOUBLE FROM read_parquet(${sqlString(historyFile)}) h JOIN ${index.table} x USING (member_id) WHERE h.year = ${Math.trunc(year)}`;
  return (await readByIndex(conn, sql, index, 1, { source: historyFile }))[0]!;
}

/** True when raf_history has rows for the year. */
export async function hasYear(conn: DuckDBConnection, historyFile: string, year: number): Promise<boolean> {
  const r = await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlString(historyFile)}) WHERE year = ${year}`);
  return Number(r.getRowObjectsJson()[0]!.n) > 0;
}

export interface Labels {
  /** 1 in the top share, 0 below, 255 when RAF_T is unknown. */
  labels: Uint8Array;
  /** Members with a label. */
  known: number;
  /** The lowest RAF_T in the top share. */
  cut: number;
}

/**
 * 1 for the round(share x n) members with the highest RAF_T (ties by member id, ids given in
 * ascending order), over the n members whose RAF_T is known.
 */
export function topShareLabels(raf: Float64Array, share: number): Labels {
  const known: number[] = [];
  for (let i = 0; i < raf.length; i++) if (!Number.isNaN(raf[i]!)) known.push(i);
  known.sort((a, b) => raf[b]! - raf[a]! || a - b);
  const k = listSize(known.length, share);
  const labels = new Uint8Array(raf.length).fill(255);
  known.forEach((i, r) => (labels[i] = r < k ? 1 : 0));
  return { labels, known: known.length, cut: k > 0 ? raf[known[k - 1]!]! : NaN };
}

/** The rows whose label is known, as indexes. */
export function knownRows(labels: Uint8Array): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] !== 255) out.push(i);
  return Int32Array.from(out);
}

/** The matrix rows at `rows`, as a new matrix. */
export function selectRows(x: Matrix, rows: ArrayLike<number>): Matrix {
  const values = new Float32Array(rows.length * x.cols);
  for (let k = 0; k < rows.length; k++) values.set(x.values.subarray(rows[k]! * x.cols, (rows[k]! + 1) * x.cols), k * x.cols);
  return { rows: rows.length, cols: x.cols, values };
}
