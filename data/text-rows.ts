// JSONL and CSV files as rows: the bytes read in blocks, rows found on the bytes (a newline ends
// a row; in CSV only outside quotes, RFC 4180), each row numbered from 1 (the CSV header is row
// 0); raw-records.ts parses each into a record or the reason it cannot be one: a bad row is
// handed on with its number, never skipped, so the caller can quarantine it.
import { open, type FileHandle } from 'node:fs/promises';
import { asIoError, InputError } from './errors.ts';
import { parseCsv } from './csv.ts';

/**
 * Whole rows as one text, for parsing elsewhere (a worker thread): `rows` rows, the first being
 * row `startRow`. Split it with splitRows.
 */
export interface RawChunk {
  startRow: number;
  rows: number;
  text: string;
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
      if (done) throw asIoError(e, 'cannot read', path);
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
export async function* rowBlocks(
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

/** A run of whole rows of a CSV file: rows firstRow.. (numbered as scanCsvRows does), at bytes start to end. */
export interface CsvRowRange {
  firstRow: number;
  rows: number;
  start: number;
  end: number;
}

/**
 * Cuts a CSV file into runs of `rowsPerRange` whole rows (the last one shorter), on the bytes:
 * rows end at a newline outside quotes, as scanCsvRows counts them (the header is row 0; a last
 * row without a final newline counts), so each run starts outside quotes with its first row's
 * number. Returns the header's bytes (up to its newline) and the runs; a file of a header alone
 * has one run of no rows. Only the cuts are kept: memory stays flat.
 */
export async function csvRowRanges(path: string, rowsPerRange: number): Promise<{ headerBytes: number; ranges: CsvRowRange[] }> {
  const ends = new RowEnds(true);
  const ranges: CsvRowRange[] = [];
  let row = -1; // the header is row 0
  let offset = 0;
  let lastEnd = 0; // the byte after the last row end
  let headerBytes = -1;
  let firstRow = 1;
  let start = 0;
  for await (const buf of fileBlocks(path, BLOCK_BYTES)) {
    ends.scan(buf, 0, (k) => {
      row++;
      lastEnd = offset + k + 1;
      if (row === 0) headerBytes = start = lastEnd;
      else if (row - firstRow + 1 === rowsPerRange) {
        ranges.push({ firstRow, rows: rowsPerRange, start, end: lastEnd });
        firstRow = row + 1;
        start = lastEnd;
      }
    });
    offset += buf.length;
  }
  if (headerBytes < 0) return { headerBytes: offset, ranges: [{ firstRow: 1, rows: 0, start: offset, end: offset }] };
  if (offset > lastEnd) row++;
  if (row >= firstRow || ranges.length === 0) ranges.push({ firstRow, rows: row - firstRow + 1, start, end: offset });
  return { headerBytes, ranges };
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

/** What scanCsvRows found: the data rows, the empty ones, and those whose field count is wrong. */
export interface CsvRowScan {
  rows: number;
  emptyRows: number[];
  /**
   * Non-empty rows whose number of fields (commas outside quotes, plus one) is not the header's,
   * and a last row whose quote is never closed.
   */
  wrongFieldCounts: number;
}

/**
 * Counts a CSV file's data rows as RFC 4180 does (quoted newlines stay in their row; a final
 * newline ends the last row), lists the empty ones (nothing, or a lone CR), which readers such
 * as DuckDB's skip without a word, and counts the rows whose number of fields differs from
 * `fields` (the header's): an independent count of the rows a reader must reject as rows. Only
 * numbers are kept, so memory stays flat however large the file. `onWrongFields(row, reason)`
 * hears of each such row; `keep` receives, block by block, the bytes of the header and of every
 * row that is neither empty nor of the wrong field count (a copy of the file without them).
 */
export async function scanCsvRows(
  path: string,
  fields?: number,
  onWrongFields?: (row: number, reason: string) => void | Promise<void>,
  keep?: (bytes: Buffer) => Promise<void>,
): Promise<CsvRowScan> {
  let rows = -1; // the header is row 0
  const emptyRows: number[] = [];
  let wrongFieldCounts = 0;
  let offset = 0; // file position of the block's first byte
  let rowStart = 0; // file position of the current row's first byte
  let lastByte = -1; // the previous block's last byte
  let inQuotes = false;
  let commas = 0; // commas outside quotes in the current row
  const isEmpty = (length: number, before: number): boolean => length === 0 || (length === 1 && before === 13);
  const pending: [number, string][] = [];
  // One reason string per field count, however many rows share it.
  const reasons = new Map<number, string>();
  const reasonFor = (found: number): string => {
    let r = reasons.get(found);
    if (r === undefined) reasons.set(found, (r = fieldCountReason(fields!, found)));
    return r;
  };
  /** Ends a row; true when it is kept (the header, or a row with the header's field count). */
  const endRow = (length: number, before: number): boolean => {
    rows++;
    const found = commas + 1;
    commas = 0;
    if (rows === 0) return true;
    if (isEmpty(length, before)) {
      emptyRows.push(rows);
      return false;
    }
    // A quote still open (only the last row can end so): from it to the end is one bad row.
    const unclosed = inQuotes;
    if (fields !== undefined && (found !== fields || unclosed)) {
      wrongFieldCounts++;
      if (onWrongFields !== undefined) pending.push([rows, unclosed ? ROW_REASONS.unclosedQuote : reasonFor(found)]);
      return false;
    }
    return true;
  };
  // With `keep`: the kept bytes of the block, and the current row's parts from earlier blocks.
  let kept: Buffer[] = [];
  let carry: Buffer[] = [];
  for await (const buf of fileBlocks(path, BLOCK_BYTES)) {
    let segStart = 0; // where the current row starts in the block
    const rowEnd = (k: number): void => {
      const keepRow = endRow(offset + k - rowStart, k > 0 ? buf[k - 1]! : lastByte);
      rowStart = offset + k + 1;
      if (keep === undefined) return;
      if (keepRow) kept.push(...carry, buf.subarray(segStart, k + 1));
      carry = [];
      segStart = k + 1;
    };
    if (!inQuotes && buf.indexOf(34) < 0) {
      // No quote in the block: the native searches find the newlines and the commas.
      let comma = buf.indexOf(44); // the next comma, searched once
      for (let k = buf.indexOf(10); k >= 0; k = buf.indexOf(10, k + 1)) {
        for (; comma >= 0 && comma < k; comma = buf.indexOf(44, comma + 1)) commas++;
        rowEnd(k);
      }
      for (; comma >= 0; comma = buf.indexOf(44, comma + 1)) commas++;
    } else {
      // Byte by byte: quotes toggle, commas count outside quotes, newlines outside end rows.
      for (let k = 0; k < buf.length; k++) {
        const c = buf[k]!;
        if (c === 34) inQuotes = !inQuotes;
        else if (inQuotes) continue;
        else if (c === 44) commas++;
        else if (c === 10) rowEnd(k);
      }
    }
    for (const [row, reason] of pending.splice(0)) await onWrongFields!(row, reason);
    if (keep !== undefined) {
      if (segStart < buf.length) carry.push(buf.subarray(segStart));
      if (kept.length > 0) await keep(Buffer.concat(kept));
      kept = [];
    }
    offset += buf.length;
    lastByte = buf[buf.length - 1]!;
  }
  // A last row without a final newline.
  if (offset > rowStart && endRow(offset - rowStart, lastByte) && keep !== undefined && carry.length > 0) {
    await keep(Buffer.concat([...carry, Buffer.from('\n')]));
  }
  for (const [row, reason] of pending.splice(0)) await onWrongFields!(row, reason);
  return { rows: Math.max(0, rows), emptyRows, wrongFieldCounts };
}

/** Why a row cannot be read as a row: the same words in `load` and `score`. */
export const ROW_REASONS = {
  empty: 'empty line',
  unclosedQuote: 'a quote is not closed',
  notUtf8: 'not valid UTF-8 text',
  tooLong: 'the row is longer than the reader accepts',
  notJson: 'not valid JSON',
  notJsonObject: 'expected a JSON object',
} as const;

/** The reason for a row whose number of fields is not the header's (load and score alike). */
export function fieldCountReason(expected: number, found: number | string): string {
  return `expected ${expected} fields as in the header, found ${found}`;
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
