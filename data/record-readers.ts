// Streams records from JSONL, CSV or Parquet files in chunks, each record with its 1-based row
// number (data rows; the CSV header is row 0). A line that cannot be parsed is handed on with its
// error, never skipped, so the caller can quarantine it. JSONL and CSV rows are found and parsed
// in text-rows.ts; Parquet rows come from DuckDB.
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { asIoError, ConfigError, InputError } from './errors.ts';
import { openDuckDb, sqlString } from './duckdb.ts';
import type { StagedParquet } from './parquet-staging.ts';
import { TABLE_FORMATS, type TableFormat } from './table-formats.ts';
import { csvHeader, rowBlocks, type RawChunk } from './text-rows.ts';
import { parseRawRecord, splitRows, type SourceRecord } from './raw-records.ts';


export interface RecordSource {
  format: TableFormat;
  /** Column names when the format has a header (CSV, Parquet). */
  columns: string[] | undefined;
  /** Total size for progress: bytes (JSONL, CSV) or rows (Parquet). */
  total: number;
  unit: 'bytes' | 'rows';
  chunks(onProgress?: (done: number) => void): AsyncGenerator<SourceRecord[]>;
  /** JSONL and CSV only: the rows' raw text, split by splitRows and parsed by parseRawRecord. */
  rawChunks?: (onProgress?: (done: number) => void) => AsyncGenerator<RawChunk>;
}

export function formatOf(path: string, explicit?: string): TableFormat {
  const f = (explicit ?? extname(path).slice(1)).toLowerCase();
  if (f === 'jsonl' || f === 'ndjson' || f === 'json') return 'jsonl';
  if (f === 'csv') return 'csv';
  if (f === 'parquet' || f === 'pq') return 'parquet';
  if (explicit !== undefined) throw new ConfigError(`unknown format "${explicit}" for ${path}; use ${TABLE_FORMATS.join(', ')}`);
  throw new ConfigError(`cannot tell the format of ${path}; use .jsonl, .csv or .parquet (or pass the format)`);
}

function textSource(
  format: 'jsonl' | 'csv',
  path: string,
  columns: string[] | undefined,
  size: { total: number; unit: 'bytes' | 'rows' },
  growing?: Promise<void>,
): RecordSource {
  const rawChunks = (onProgress?: (done: number) => void): AsyncGenerator<RawChunk> =>
    rowBlocks(path, format, (b, r) => onProgress?.(size.unit === 'bytes' ? b : r), growing);
  return {
    format,
    columns,
    ...size,
    rawChunks,
    async *chunks(onProgress) {
      for await (const c of rawChunks(onProgress)) {
        yield splitRows(format, c.text).map((t, i) => parseRawRecord(format, t, c.startRow + i, columns));
      }
    },
  };
}

async function parquetSource(path: string): Promise<RecordSource> {
  const db = await openDuckDb();
  try {
    const meta = await db.connection.runAndReadAll(
      `SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlString(path)})`,
    );
    const total = Number(meta.getRowObjectsJson()[0]?.n ?? 0);
    const desc = await db.connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
    const columns = desc.getRowObjectsJson().map((r) => String(r.column_name));
    db.close();
    return {
      format: 'parquet',
      columns,
      total,
      unit: 'rows',
      async *chunks(onProgress) {
        const reader = await openDuckDb();
        try {
          const result = await reader.connection.stream(`SELECT * FROM read_parquet(${sqlString(path)})`);
          let row = 0;
          for await (const objects of result.yieldRowObjectJson()) {
            const chunk: SourceRecord[] = objects.map((o) => ({ row: ++row, record: o as Record<string, unknown> }));
            onProgress?.(row);
            yield chunk;
          }
        } finally {
          reader.close();
        }
      },
    };
  } catch (e) {
    db.close();
    throw new InputError(`cannot read Parquet: ${(e as Error).message}`, { file: path });
  }
}

export async function openRecordSource(path: string, format: TableFormat): Promise<RecordSource> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    throw asIoError(e, 'cannot read', path);
  }
  if (format === 'jsonl') return textSource('jsonl', path, undefined, { total: size, unit: 'bytes' });
  if (format === 'csv') return textSource('csv', path, await csvHeader(path), { total: size, unit: 'bytes' });
  return parquetSource(path);
}

/** Reads a staged Parquet file's CSV while it is written; progress counts rows. */
export async function openStagedSource(staged: StagedParquet): Promise<RecordSource> {
  const columns = await csvHeader(staged.path, staged.written);
  return textSource('csv', staged.path, columns, { total: staged.rows, unit: 'rows' }, staged.written);
}
