// Writes rows of flat columns to JSONL, CSV or Parquet, atomically and owner-only. Parquet goes
// through DuckDB: rows are staged as CSV in a temporary file and converted with explicit types.
import { unlink } from 'node:fs/promises';
import { AtomicFileWriter, temporaryPathFor } from './atomic-file.ts';
import { csvField } from './csv.ts';
import { copyAtomically, openDuckDb, sqlString } from './duckdb.ts';
import type { TableFormat } from './table-formats.ts';

export type ColumnType = 'VARCHAR' | 'DOUBLE' | 'INTEGER' | 'JSON';

export interface Column {
  name: string;
  type: ColumnType;
}

export type Row = Record<string, unknown>;

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

  /** Writes rows already formatted for this writer's format and columns (text or UTF-8). */
  async writeText(text: string | Uint8Array): Promise<void> {
    if (text.length > 0) await this.file.write(text);
  }

  async commit(): Promise<void> {
    await this.file.commit();
    if (this.format !== 'parquet') return;
    const staged = this.file.path;
    const db = await openDuckDb();
    try {
      const types = this.columns
        .map((c) => `${sqlString(c.name)}: ${sqlString(c.type === 'JSON' ? 'VARCHAR' : c.type)}`)
        .join(', ');
      await copyAtomically(
        db.connection,
        `SELECT * FROM read_csv(${sqlString(staged)}, header = true, quote = '"', escape = '"', columns = {${types}})`,
        this.target,
        'parquet',
      );
    } finally {
      db.close();
      await unlink(staged).catch(() => undefined);
    }
  }

  async abort(): Promise<void> {
    await this.file.abort();
  }
}
