// Streams records from JSONL, CSV or Parquet files in chunks, each record with its 1-based row
// number (data rows; the CSV header is row 0). A line that cannot be parsed is handed on with its
// error, never skipped, so the caller can quarantine it.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { ConfigError, InputError } from './errors.ts';
import { parseCsv } from './csv.ts';
import { openDuckDb, sqlString } from './duckdb.ts';

export type TableFormat = 'jsonl' | 'csv' | 'parquet';
export const TABLE_FORMATS: readonly TableFormat[] = ['jsonl', 'csv', 'parquet'];

export interface SourceRecord {
  row: number;
  record?: Record<string, unknown>;
  /** Why the row could not be read as a record. */
  error?: string;
}

export interface RecordSource {
  /** Column names when the format has a header (CSV, Parquet). */
  columns: string[] | undefined;
  /** Total size for progress: bytes (JSONL, CSV) or rows (Parquet). */
  total: number;
  unit: 'bytes' | 'rows';
  chunks(onProgress?: (done: number) => void): AsyncGenerator<SourceRecord[]>;
}

export function formatOf(path: string, explicit?: string): TableFormat {
  const f = (explicit ?? extname(path).slice(1)).toLowerCase();
  if (f === 'jsonl' || f === 'ndjson' || f === 'json') return 'jsonl';
  if (f === 'csv') return 'csv';
  if (f === 'parquet' || f === 'pq') return 'parquet';
  throw new ConfigError(`cannot tell the format of ${path}; use .jsonl, .csv or .parquet (or pass the format)`);
}

const CHUNK_ROWS = 8192;

async function* lines(path: string, onBytes: (n: number) => void): AsyncGenerator<string> {
  let tail = '';
  let bytes = 0;
  for await (const buf of createReadStream(path, { highWaterMark: 1 << 20 })) {
    bytes += (buf as Buffer).length;
    const text = tail + (buf as Buffer).toString('utf8');
    const parts = text.split('\n');
    tail = parts.pop() ?? '';
    for (const p of parts) yield p;
    onBytes(bytes);
  }
  if (tail !== '') yield tail;
}

function jsonlSource(path: string, size: number): RecordSource {
  return {
    columns: undefined,
    total: size,
    unit: 'bytes',
    async *chunks(onProgress) {
      let row = 0;
      let chunk: SourceRecord[] = [];
      for await (let line of lines(path, (b) => onProgress?.(b))) {
        if (row === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        row++;
        if (line.trim() === '') {
          chunk.push({ row, error: 'empty line' });
        } else {
          try {
            const value: unknown = JSON.parse(line);
            if (value === null || typeof value !== 'object' || Array.isArray(value)) {
              chunk.push({ row, error: 'expected a JSON object' });
            } else chunk.push({ row, record: value as Record<string, unknown> });
          } catch (e) {
            chunk.push({ row, error: `not valid JSON (${(e as Error).message})` });
          }
        }
        if (chunk.length >= CHUNK_ROWS) {
          yield chunk;
          chunk = [];
        }
      }
      // A final empty line after the last newline is the file's end, not a row.
      if (chunk.length > 0) yield chunk;
    },
  };
}

async function csvSource(path: string, size: number): Promise<RecordSource> {
  // Header first, so the caller can check it before any row is read.
  let header: string[] | undefined;
  for await (const first of lines(path, () => undefined)) {
    parseCsv(first, (fields) => {
      header = fields.map((f) => f.trim());
      return false;
    });
    break;
  }
  if (header === undefined) throw new InputError('the file is empty: no header', { file: path, row: 0 }, 'E_INPUT_HEADER');
  const columns = header;
  return {
    columns,
    total: size,
    unit: 'bytes',
    async *chunks(onProgress) {
      let buffer = '';
      let inQuotes = false;
      let row = -1;
      let chunk: SourceRecord[] = [];
      const take = (text: string): void => {
        parseCsv(text, (fields) => {
          row++;
          if (row === 0) return;
          if (fields.length === 1 && fields[0] === '') {
            chunk.push({ row, error: 'empty line' });
            return;
          }
          if (fields.length !== columns.length) {
            chunk.push({ row, error: `expected ${columns.length} fields as in the header, found ${fields.length}` });
            return;
          }
          const record: Record<string, unknown> = {};
          for (let k = 0; k < columns.length; k++) record[columns[k]!] = fields[k];
          chunk.push({ row, record });
        });
      };
      for await (const line of lines(path, (b) => onProgress?.(b))) {
        buffer += buffer === '' ? line : `\n${line}`;
        for (let k = 0; k < line.length; k++) if (line.charCodeAt(k) === 34) inQuotes = !inQuotes;
        if (inQuotes) continue;
        take(buffer);
        buffer = '';
        if (chunk.length >= CHUNK_ROWS) {
          yield chunk;
          chunk = [];
        }
      }
      if (buffer !== '') take(buffer);
      if (chunk.length > 0) yield chunk;
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
  } catch {
    throw new InputError('no such file', { file: path });
  }
  if (format === 'jsonl') return jsonlSource(path, size);
  if (format === 'csv') return csvSource(path, size);
  return parquetSource(path);
}
