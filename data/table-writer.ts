// Writes rows of flat columns to JSONL, CSV or Parquet, atomically and owner-only. Parquet goes
// through DuckDB: rows are staged as CSV in a temporary file and converted with explicit types.
import { chmod, rename, unlink } from 'node:fs/promises';
import { AtomicFileWriter, OUTPUT_FILE_MODE, temporaryPathFor } from './atomic-file.ts';
import { csvField } from './csv.ts';
import { openDuckDb, sqlString } from './duckdb.ts';
import type { TableFormat } from './record-readers.ts';

export type ColumnType = 'VARCHAR' | 'DOUBLE' | 'INTEGER' | 'JSON';

export interface Column {
  name: string;
  type: ColumnType;
}

export type Row = Record<string, unknown>;

/**
 * String(x) for an x that is a whole number of 1/scale (scale 10, 100 or 1000: scores and
 * dollars), by integer arithmetic, which is a few times faster than the float-to-text algorithm.
 * Any other x gets String(x). Exact: k / scale is the double nearest the decimal, whose shortest
 * text is that decimal without trailing zeros.
 */
export function decimalText(x: number, scale: 10 | 100 | 1000): string {
  const k = Math.round(x * scale);
  if (k / scale !== x || k > 0x3fffffff || k < -0x3fffffff) return String(x);
  if (k === 0) return '0';
  const a = k < 0 ? -k : k;
  const whole = Math.floor(a / scale);
  let frac = a - whole * scale;
  const sign = k < 0 ? '-' : '';
  if (frac === 0) return `${sign}${whole}`;
  let places = scale === 1000 ? 3 : scale === 100 ? 2 : 1;
  while (frac % 10 === 0) {
    frac /= 10;
    places--;
  }
  const digits = String(frac);
  return `${sign}${whole}.${digits.length < places ? '0'.repeat(places - digits.length) : ''}${digits}`;
}

function csvValue(v: unknown, type: ColumnType): string {
  if (typeof v === 'number') return String(v);
  if (v === undefined || v === null) return '';
  if (type === 'JSON' || typeof v === 'object') return csvField(JSON.stringify(v));
  return csvField(String(v));
}

/** Formats rows as the file's text: JSON lines, or CSV lines (also the Parquet staging form). */
export function formatRows(format: TableFormat, columns: readonly Column[], rows: readonly Row[]): string {
  const parts: string[] = [];
  if (format === 'jsonl') {
    for (const r of rows) parts.push(`${JSON.stringify(r)}\n`);
  } else {
    for (const r of rows) parts.push(`${columns.map((c) => csvValue(r[c.name], c.type)).join(',')}\n`);
  }
  return parts.join('');
}

export class TableWriter {
  private constructor(
    private readonly format: TableFormat,
    private readonly columns: readonly Column[],
    private readonly file: AtomicFileWriter,
    private readonly target: string,
  ) {}

  /** JSONL rows keep nested values as they are; CSV and Parquet store objects as JSON text. */
  static async open(path: string, format: TableFormat, columns: readonly Column[]): Promise<TableWriter> {
    // Parquet is staged as CSV at a temporary path and converted on commit.
    const staging = format === 'parquet' ? temporaryPathFor(path) : path;
    const file = await AtomicFileWriter.open(staging);
    const w = new TableWriter(format, columns, file, path);
    if (format !== 'jsonl') await file.write(`${columns.map((c) => csvField(c.name)).join(',')}\n`);
    return w;
  }

  /** Writes text already formatted by formatRows for this writer's format and columns. */
  async writeText(text: string): Promise<void> {
    if (text !== '') await this.file.write(text);
  }

  async commit(): Promise<void> {
    await this.file.commit();
    if (this.format !== 'parquet') return;
    const staged = this.file.path;
    const tmp = temporaryPathFor(this.target);
    const db = await openDuckDb();
    try {
      const types = this.columns
        .map((c) => `${sqlString(c.name)}: ${sqlString(c.type === 'JSON' ? 'VARCHAR' : c.type)}`)
        .join(', ');
      await db.connection.run(
        `COPY (SELECT * FROM read_csv(${sqlString(staged)}, header = true, quote = '"', escape = '"', columns = {${types}})) ` +
          `TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      await chmod(tmp, OUTPUT_FILE_MODE);
      await rename(tmp, this.target);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    } finally {
      db.close();
      await unlink(staged).catch(() => undefined);
    }
  }

  async abort(): Promise<void> {
    await this.file.abort();
  }
}
