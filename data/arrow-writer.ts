// Writes a DuckDB query's rows to an Arrow IPC file (the file format, readable by pyarrow,
// arquero and DuckDB's arrow extension), atomically and owner-only, in record batches of about
// 64k rows so memory stays bounded. Column types follow the query: text, whole numbers, doubles,
// booleans, dates and lists of text; DECIMAL columns are written as doubles (Arrow JS builds
// no decimals), so exact cents stay in the Parquet files.
import { sqlIdent } from './duckdb.ts';
import { createWriteStream } from 'node:fs';
import { chmod, rename, unlink } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { JSDuckDBValueConverter } from '@duckdb/node-api';
import {
  Bool,
  DateDay,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Utf8,
  makeData,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import { OUTPUT_FILE_MODE, temporaryPathFor } from './atomic-file.ts';
import { ConfigError } from './errors.ts';

const BATCH_ROWS = 1 << 16;

function arrowType(duckType: string, column: string): { type: DataType; cast: string } {
  const t = duckType.toUpperCase();
  if (t === 'VARCHAR') return { type: new Utf8(), cast: 'VARCHAR' };
  if (t === 'INTEGER' || t === 'SMALLINT' || t === 'TINYINT') return { type: new Int32(), cast: 'INTEGER' };
  if (t === 'BIGINT') return { type: new Int64(), cast: 'BIGINT' };
  if (t === 'DOUBLE' || t === 'FLOAT' || t.startsWith('DECIMAL')) return { type: new Float64(), cast: 'DOUBLE' };
  if (t === 'BOOLEAN') return { type: new Bool(), cast: 'BOOLEAN' };
  if (t === 'DATE') return { type: new DateDay(), cast: 'DATE' };
  if (t === 'VARCHAR[]') return { type: new List(new Field('item', new Utf8(), true)), cast: 'VARCHAR[]' };
  throw new ConfigError(`cannot write column ${column} of type ${duckType} to Arrow IPC`);
}

/** Writes the rows of `sql` to `path` as an Arrow IPC file. Returns the number of rows. */
export async function writeArrowIpc(conn: DuckDBConnection, sql: string, path: string): Promise<number> {
  const desc = (await conn.runAndReadAll(`DESCRIBE ${sql}`)).getRowObjectsJson();
  const columns = desc.map((r) => ({ name: String(r.column_name), ...arrowType(String(r.column_type), String(r.column_name)) }));
  const schema = new Schema(columns.map((c) => new Field(c.name, c.type, true)));
  const select = columns.map((c) => `${sqlIdent(c.name)}::${c.cast}`).join(', ');
  const result = await conn.stream(`SELECT ${select} FROM (${sql})`);

  const tmp = temporaryPathFor(path);
  const out = createWriteStream(tmp, { mode: OUTPUT_FILE_MODE });
  const fileWriter = new RecordBatchFileWriter();
  const piped = new Promise<void>((resolve, reject) => {
    out.on('error', reject);
    out.on('finish', resolve);
  });
  fileWriter.toNodeStream().pipe(out);
  let rows = 0;
  try {
    let pending: unknown[][] = columns.map(() => []);
    let pendingRows = 0;
    // An empty result still gets one (empty) batch, so the file carries its schema.
    const flush = (force = false): void => {
      if (pendingRows === 0 && !force) return;
      const children = columns.map((c, k) => vectorFromArray(pending[k] as never[], c.type).data[0]!);
      const data = makeData({ type: new Struct(schema.fields), length: pendingRows, nullCount: 0, children });
      fileWriter.write(new RecordBatch(schema, data));
      pending = columns.map(() => []);
      pendingRows = 0;
    };
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const values = chunk.convertColumns(JSDuckDBValueConverter);
      values.forEach((col, k) => {
        const target = pending[k]!;
        for (const v of col) target.push(v);
      });
      pendingRows += chunk.rowCount;
      rows += chunk.rowCount;
      if (pendingRows >= BATCH_ROWS) flush();
    }
    flush(rows === 0);
    fileWriter.finish();
    await piped;
    await chmod(tmp, OUTPUT_FILE_MODE);
    await rename(tmp, path);
  } catch (e) {
    fileWriter.abort();
    out.destroy();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  return rows;
}
