// Streams records from JSONL, CSV or Parquet files in chunks, each record with its 1-based row
// number (data rows; the CSV header is row 0). A line that cannot be parsed is handed on with its
// error, never skipped, so the caller can quarantine it.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
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

/** Rows as their raw text, for parsing elsewhere (a worker thread): row i is startRow + i. */
export interface RawChunk {
  startRow: number;
  texts: string[];
}

export interface RecordSource {
  format: TableFormat;
  /** Column names when the format has a header (CSV, Parquet). */
  columns: string[] | undefined;
  /** Total size for progress: bytes (JSONL, CSV) or rows (Parquet). */
  total: number;
  unit: 'bytes' | 'rows';
  chunks(onProgress?: (done: number) => void): AsyncGenerator<SourceRecord[]>;
  /** JSONL and CSV only: the rows' raw text, parsed later by parseRawRecord. */
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

/** Parses one row's raw text (a JSONL line, or a CSV record's text) into a record or an error. */
export function parseRawRecord(
  format: 'jsonl' | 'csv',
  text: string,
  row: number,
  columns: readonly string[] | undefined,
): SourceRecord {
  if (format === 'jsonl') {
    let line = row === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') return { row, error: 'empty line' };
    try {
      const value: unknown = JSON.parse(line);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return { row, error: 'expected a JSON object' };
      return { row, record: value as Record<string, unknown> };
    } catch (e) {
      return { row, error: `not valid JSON (${(e as Error).message})` };
    }
  }
  const cols = columns ?? [];
  let fields: string[] = [];
  parseCsv(text, (f) => {
    fields = f;
    return false;
  });
  if (text === '' || text === '\r' || (fields.length === 1 && fields[0] === '')) return { row, error: 'empty line' };
  if (fields.length !== cols.length) {
    return { row, error: `expected ${cols.length} fields as in the header, found ${fields.length}` };
  }
  const record: Record<string, unknown> = {};
  for (let k = 0; k < cols.length; k++) record[cols[k]!] = fields[k];
  return { row, record };
}

function textSource(
  format: 'jsonl' | 'csv',
  path: string,
  size: number,
  columns: string[] | undefined,
): RecordSource {
  // A CSV record may span lines inside quotes: lines are joined while a quote is open.
  async function* rawChunks(onProgress?: (done: number) => void): AsyncGenerator<RawChunk> {
    let texts: string[] = [];
    let startRow = 1;
    let row = 0;
    let pending = '';
    let inQuotes = false;
    let skipHeader = format === 'csv';
    for await (const line of lines(path, (b) => onProgress?.(b))) {
      let text = line;
      if (format === 'csv') {
        pending = pending === '' && !inQuotes ? line : `${pending}\n${line}`;
        for (let k = 0; k < line.length; k++) if (line.charCodeAt(k) === 34) inQuotes = !inQuotes;
        if (inQuotes) continue;
        text = pending;
        pending = '';
        if (skipHeader) {
          skipHeader = false;
          continue;
        }
      }
      row++;
      texts.push(text);
      if (texts.length >= CHUNK_ROWS) {
        yield { startRow, texts };
        startRow = row + 1;
        texts = [];
      }
    }
    if (pending !== '') {
      row++;
      texts.push(pending);
    }
    if (texts.length > 0) yield { startRow, texts };
  }
  return {
    format,
    columns,
    total: size,
    unit: 'bytes',
    rawChunks,
    async *chunks(onProgress) {
      for await (const c of rawChunks(onProgress)) {
        yield c.texts.map((t, i) => parseRawRecord(format, t, c.startRow + i, columns));
      }
    },
  };
}

async function csvHeader(path: string): Promise<string[]> {
  let header: string[] | undefined;
  for await (const first of lines(path, () => undefined)) {
    parseCsv(first, (fields) => {
      header = fields.map((f) => f.trim());
      return false;
    });
    break;
  }
  if (header === undefined) throw new InputError('the file is empty: no header', { file: path, row: 0 }, 'E_INPUT_HEADER');
  return header;
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
  } catch {
    throw new InputError('no such file', { file: path });
  }
  if (format === 'jsonl') return textSource('jsonl', path, size, undefined);
  if (format === 'csv') return textSource('csv', path, size, await csvHeader(path));
  return parquetSource(path);
}

/**
 * Converts a Parquet file to CSV in a private temporary folder (DuckDB, multi-threaded), so its
 * rows can take the CSV path, in order; list columns become "|"-separated text.
 */
export async function stageParquetAsCsv(path: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'rafcast-stage-'));
  const staged = join(dir, 'staged.csv');
  const db = await openDuckDb();
  try {
    const desc = await db.connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
    const select = desc
      .getRowObjectsJson()
      .map((r) => {
        const name = `"${String(r.column_name).replaceAll('"', '""')}"`;
        return String(r.column_type).endsWith('[]') ? `array_to_string(${name}, '|') AS ${name}` : name;
      })
      .join(', ');
    await db.connection.run(
      `COPY (SELECT ${select} FROM read_parquet(${sqlString(path)})) TO ${sqlString(staged)} (HEADER, DELIMITER ',')`,
    );
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw new InputError(`cannot read Parquet: ${(e as Error).message}`, { file: path });
  } finally {
    db.close();
  }
  return { path: staged, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
