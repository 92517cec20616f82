// Streams records from JSONL, CSV or Parquet files in chunks, each record with its 1-based row
// number (data rows; the CSV header is row 0). A line that cannot be parsed is handed on with its
// error, never skipped, so the caller can quarantine it.
import { mkdtemp, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { ConfigError, InputError } from './errors.ts';
import { parseCsv } from './csv.ts';
import { parseFlatJsonObject } from './flat-json.ts';
import { openDuckDb, sqlString } from './duckdb.ts';
import { TABLE_FORMATS, type TableFormat } from './table-formats.ts';

export { TABLE_FORMATS, type TableFormat } from './table-formats.ts';

export interface SourceRecord {
  row: number;
  record?: Record<string, unknown>;
  /** Why the row could not be read as a record. */
  error?: string;
}

/**
 * Whole rows as one text, for parsing elsewhere (a worker thread): `rows` rows, the first being
 * row `startRow`. Split it with splitRows.
 */
export interface RawChunk {
  startRow: number;
  rows: number;
  text: string;
}

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

const BLOCK_BYTES = 1 << 20;

/**
 * A file's bytes in blocks. With `growing` (a writer's completion), the file is followed while
 * it is written: at its end the reader waits for more until the writer is done, then reads the
 * rest. A writer's failure is thrown here.
 */
export async function* fileBlocks(path: string, blockBytes: number, growing?: Promise<void>): AsyncGenerator<Buffer> {
  let done = growing === undefined;
  const settled = growing?.then(() => {
    done = true;
  });
  const pause = (): Promise<unknown> => Promise.race([settled, new Promise((r) => setTimeout(r, 10))]);
  let fh: FileHandle | undefined;
  while (fh === undefined) {
    try {
      fh = await open(path, 'r');
    } catch (e) {
      if (done) throw e;
      await pause();
    }
  }
  try {
    let position = 0;
    for (;;) {
      const wasDone = done;
      const buf = Buffer.allocUnsafe(blockBytes);
      const { bytesRead } = await fh.read(buf, 0, blockBytes, position);
      if (bytesRead > 0) {
        position += bytesRead;
        yield bytesRead === blockBytes ? buf : buf.subarray(0, bytesRead);
      } else if (wasDone) {
        await settled;
        return;
      } else await pause();
    }
  } finally {
    await fh.close();
  }
}

/**
 * Finds where rows end in a file's bytes, block by block: at each newline, and in CSV only at a
 * newline outside quotes (RFC 4180), the quote state carried from one block to the next. A
 * block with no quote takes the native newline search.
 */
class RowEnds {
  private inQuotes = false;

  constructor(private readonly csv: boolean) {}

  /** Calls `onEnd(k)` for each row ending at buf[k], from `from` on; `false` stops the scan. */
  scan(buf: Buffer, from: number, onEnd: (k: number) => boolean | void): void {
    if (!this.csv || (!this.inQuotes && buf.indexOf(34, from) < 0)) {
      for (let k = buf.indexOf(10, from); k >= 0; k = buf.indexOf(10, k + 1)) if (onEnd(k) === false) return;
      return;
    }
    for (let k = from; k < buf.length; k++) {
      const c = buf[k]!;
      if (c === 34) this.inQuotes = !this.inQuotes;
      else if (c === 10 && !this.inQuotes && onEnd(k) === false) return;
    }
  }
}

/**
 * Reads a text file in blocks of whole rows, counting rows on the bytes (no string per row): a
 * row ends at a newline, and in CSV only at a newline outside quotes. The CSV header is skipped.
 * `onProgress` gets the bytes and rows read so far.
 */
async function* rowBlocks(
  path: string,
  format: 'jsonl' | 'csv',
  onProgress: (bytes: number, rows: number) => void,
  growing?: Promise<void>,
): AsyncGenerator<RawChunk> {
  let carry: Buffer | undefined;
  const ends = new RowEnds(format === 'csv');
  let skipHeader = format === 'csv';
  let startRow = 1;
  let bytes = 0;
  for await (const read of fileBlocks(path, BLOCK_BYTES, growing)) {
    bytes += read.length;
    const buf: Buffer = carry === undefined ? read : Buffer.concat([carry, read]);
    // The carried bytes were scanned already (quote state included): scan what follows them.
    let lastEnd = -1;
    let rows = 0;
    ends.scan(buf, carry === undefined ? 0 : carry.length, (k) => {
      lastEnd = k;
      rows++;
    });
    if (lastEnd < 0) {
      carry = buf;
      onProgress(bytes, startRow - 1);
      continue;
    }
    let from = 0;
    if (skipHeader) {
      from = headerEnd(buf) + 1;
      rows--;
      skipHeader = false;
    }
    carry = lastEnd + 1 < buf.length ? Buffer.from(buf.subarray(lastEnd + 1)) : undefined;
    if (rows > 0) {
      yield { startRow, rows, text: buf.toString('utf8', from, lastEnd + 1) };
      startRow += rows;
    }
    onProgress(bytes, startRow - 1);
  }
  if (carry !== undefined && carry.length > 0) {
    if (skipHeader) return; // the header alone, without a newline
    yield { startRow, rows: 1, text: carry.toString('utf8') };
  }
}

/** Index of the newline ending the CSV header (a header may hold quoted newlines). */
function headerEnd(buf: Buffer): number {
  let end = buf.length;
  new RowEnds(true).scan(buf, 0, (k) => {
    end = k;
    return false;
  });
  return end;
}

/**
 * Counts a CSV file's data rows as RFC 4180 does (quoted newlines stay in their row; a final
 * newline ends the last row) and lists the empty ones (nothing, or a lone CR), which readers
 * such as DuckDB's skip without a word.
 */
export async function scanCsvRows(path: string): Promise<{ rows: number; emptyRows: number[] }> {
  let rows = -1; // the header is row 0
  const emptyRows: number[] = [];
  const ends = new RowEnds(true);
  let offset = 0; // file position of the block's first byte
  let rowStart = 0; // file position of the current row's first byte
  let lastByte = -1; // the previous block's last byte
  const isEmpty = (length: number, before: number): boolean => length === 0 || (length === 1 && before === 13);
  for await (const buf of fileBlocks(path, BLOCK_BYTES)) {
    ends.scan(buf, 0, (k) => {
      rows++;
      if (rows > 0 && isEmpty(offset + k - rowStart, k > 0 ? buf[k - 1]! : lastByte)) emptyRows.push(rows);
      rowStart = offset + k + 1;
    });
    offset += buf.length;
    lastByte = buf[buf.length - 1]!;
  }
  // A last row without a final newline.
  if (offset > rowStart) {
    rows++;
    if (rows > 0 && isEmpty(offset - rowStart, lastByte)) emptyRows.push(rows);
  }
  return { rows: Math.max(0, rows), emptyRows };
}

/** Splits a block of whole rows into each row's text (CSV rows may hold quoted newlines). */
export function splitRows(format: 'jsonl' | 'csv', text: string): string[] {
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '' && text.endsWith('\n')) parts.pop();
  if (format === 'jsonl' || text.indexOf('"') < 0) return parts;
  const rows: string[] = [];
  let pending = '';
  let open = false;
  for (const line of parts) {
    pending = pending === '' && !open ? line : `${pending}\n${line}`;
    for (let k = line.indexOf('"'); k >= 0; k = line.indexOf('"', k + 1)) open = !open;
    if (open) continue;
    rows.push(pending);
    pending = '';
  }
  if (open) rows.push(pending);
  return rows;
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
    const flat = parseFlatJsonObject(line);
    if (flat !== undefined) return { row, record: flat };
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
  // Most rows have no quotes and no carriage return inside: a plain split is the RFC 4180 parse.
  const line = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (line.indexOf('"') < 0 && line.indexOf('\r') < 0) fields = line.split(',');
  else {
    parseCsv(text, (f) => {
      fields = f;
      return false;
    });
  }
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

/** The CSV header's fields: the first row (a header may hold quoted newlines). */
export async function csvHeader(path: string, growing?: Promise<void>): Promise<string[]> {
  let header: string[] | undefined;
  let head = Buffer.alloc(0);
  for await (const block of fileBlocks(path, 1 << 16, growing)) {
    head = Buffer.concat([head, block]);
    const end = headerEnd(head);
    if (end < head.length) {
      head = head.subarray(0, end);
      break;
    }
  }
  parseCsv(head.toString('utf8'), (fields) => {
    header = fields.map((f) => f.trim());
    return false;
  });
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
  if (format === 'jsonl') return textSource('jsonl', path, undefined, { total: size, unit: 'bytes' });
  if (format === 'csv') return textSource('csv', path, await csvHeader(path), { total: size, unit: 'bytes' });
  return parquetSource(path);
}

/** A Parquet file being converted to CSV; read it with openStagedSource while it is written. */
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
  const dir = await mkdtemp(join(tmpdir(), 'rafcast-stage-'));
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
        const name = `"${String(r.column_name).replaceAll('"', '""')}"`;
        return String(r.column_type).endsWith('[]') ? `array_to_string(${name}, '|') AS ${name}` : name;
      })
      .join(', ');
    const count = await db.connection.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlString(path)})`);
    rows = Number(count.getRowObjectsJson()[0]?.n ?? 0);
  } catch (e) {
    db.close();
    await rm(dir, { recursive: true, force: true });
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
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Reads a staged Parquet file's CSV while it is written; progress counts rows. */
export async function openStagedSource(staged: StagedParquet): Promise<RecordSource> {
  const columns = await csvHeader(staged.path, staged.written);
  return textSource('csv', staged.path, columns, { total: staged.rows, unit: 'rows' }, staged.written);
}
