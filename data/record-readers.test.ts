// Reading files: JSONL and CSV files read in blocks of whole rows give every row, numbered, as one
// parse of the whole file gives them; a Parquet file staged as CSV reads as DuckDB reads it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsvObjects } from './csv.ts';
import { createRng } from './random.ts';
import { openDuckDb, sqlString } from './duckdb.ts';
import { stageParquetAsCsv } from './parquet-staging.ts';
import { openRecordSource, openStagedSource } from './record-readers.ts';
import { scanCsvRows } from './text-rows.ts';
import type { SourceRecord } from './raw-records.ts';
import { tempDir } from '../test/temp-dir.ts';

describe('openRecordSource reads files in blocks of whole rows', () => {
  // Over 1 MiB, so rows (and quoted newlines) straddle the reader's block boundaries.
  const dir = tempDir('read');
  const rng = createRng(11);
  const rows = Array.from({ length: 40000 }, (_, i) => {
    const r = rng.next();
    const b = r < 0.05 ? `"line one\nline ""two"", and three"` : r < 0.1 ? `"a,b"` : `v${i}`;
    return `id${i},${b},${'x'.repeat(rng.int(30))}`;
  });

  async function readAll(path: string, format: 'csv' | 'jsonl') {
    const source = await openRecordSource(path, format);
    const out: SourceRecord[] = [];
    for await (const chunk of source.chunks()) out.push(...chunk);
    return out;
  }

  it.each([
    ['LF, final newline', '\n', true],
    ['CRLF, no final newline', '\r\n', false],
  ])('CSV with quoted newlines and commas (%s) reads as one RFC 4180 parse of the whole file', async (_, eol, last) => {
    const text = `\ufeffid,b,c${eol}${rows.join(eol)}${last ? eol : ''}`;
    const path = join(dir, `in-${eol.length}.csv`);
    writeFileSync(path, text);
    const got = await readAll(path, 'csv');
    const want = parseCsvObjects(text);
    expect(got.length).toBe(rows.length);
    expect(got.map((r) => r.row)).toEqual(rows.map((_, i) => i + 1));
    expect(got.map((r) => r.record)).toEqual(want);
    // The byte scan the contract loader uses counts the same rows across the same boundaries.
    expect(await scanCsvRows(path)).toMatchObject({ rows: rows.length, emptyRows: [] });
  });

  it('JSONL rows keep their numbers; a last line without newline is read', async () => {
    const path = join(dir, 'in.jsonl');
    writeFileSync(path, rows.map((r, i) => JSON.stringify({ i, r })).join('\n'));
    const got = await readAll(path, 'jsonl');
    expect(got.length).toBe(rows.length);
    expect(got.every((g, i) => g.row === i + 1 && (g.record as { i: number }).i === i)).toBe(true);
  });

  it('a CSV of a header alone has no rows; an empty file is a header error', async () => {
    writeFileSync(join(dir, 'h.csv'), 'id,b,c');
    expect(await readAll(join(dir, 'h.csv'), 'csv')).toEqual([]);
    writeFileSync(join(dir, 'e.csv'), '');
    await expect(openRecordSource(join(dir, 'e.csv'), 'csv')).rejects.toThrow(/empty: no header/);
  });
});

describe('stageParquetAsCsv, read by openStagedSource', () => {
  it('a staged Parquet file reads as DuckDB reads the Parquet file', async () => {
    const dir = tempDir('follow');
    const pq = join(dir, 'in.parquet');
    const db = await openDuckDb();
    await db.connection.run(
      `COPY (SELECT 'M' || i AS id, ['E11.9', 'I50.22'][1:(i % 3)::INT] AS dx, CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END AS sex, 60 + i % 40 AS age FROM range(100000) t(i)) TO ${sqlString(pq)} (FORMAT parquet)`,
    );
    const want = (await db.connection.runAndReadAll(`SELECT id, array_to_string(dx, '|') AS dx, sex, age::VARCHAR AS age FROM read_parquet(${sqlString(pq)})`)).getRowObjectsJson();
    db.close();
    const staged = await stageParquetAsCsv(pq);
    try {
      const source = await openStagedSource(staged);
      expect(source).toMatchObject({ columns: ['id', 'dx', 'sex', 'age'], total: 100000, unit: 'rows' });
      const got: unknown[] = [];
      for await (const chunk of source.chunks()) for (const r of chunk) got.push(r.record);
      expect(got).toEqual(want);
    } finally {
      await staged.cleanup();
    }
  });
});
