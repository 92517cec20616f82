// splitCsvByFirstField against DuckDB's own CSV writer: each key's file must hold the bytes a COPY
// of that key's rows alone would write (the worklists were written that way, one COPY per NPI).
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDuckDb, sqlString } from './duckdb.ts';
import { splitCsvByFirstField } from './split-csv.ts';
import { tempDir } from '../test/temp-dir.ts';

// Fields DuckDB must quote (a comma, a quote, line feeds, a carriage return), an empty string
// (written "" to tell it from NULL), NULLs, multi-byte text, and a record that straddles the
// reader's 1 MiB chunks (the long note).
const ROWS = [
  ['1111111111', 1, 'plain', 'a'],
  ['1111111111', 2, 'with, comma', null],
  ['1111111111', 3, 'say "yes"', ''],
  ['2222222222', 1, 'two\nlines and "quotes"\n', 'é, ü; 漢字'],
  ['2222222222', 2, 'carriage\r\nreturn', 'x'.repeat(3 << 19)],
  ['3333333333', 1, null, '"'],
] as const;

async function writeTable(dir: string): Promise<{ whole: string; expected: (key: string) => Promise<Buffer> }> {
  const db = await openDuckDb();
  const c = db.connection;
  await c.run(`CREATE TABLE t (npi VARCHAR, rank INTEGER, note VARCHAR, other VARCHAR)`);
  const lit = (v: string | number | null): string => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : sqlString(v));
  await c.run(`INSERT INTO t VALUES ${ROWS.map((r) => `(${r.map(lit).join(', ')})`).join(', ')}`);
  const whole = join(dir, 'whole.csv');
  const copy = async (sql: string, to: string): Promise<void> => {
    await c.run(`COPY (${sql}) TO ${sqlString(to)} (FORMAT csv, HEADER, DELIMITER ',')`);
  };
  await copy(`SELECT * FROM t ORDER BY npi, rank`, whole);
  return {
    whole,
    expected: async (key) => {
      const f = join(dir, `expected-${key}.csv`);
      await copy(`SELECT * EXCLUDE (npi) FROM t WHERE npi = ${sqlString(key)} ORDER BY rank`, f);
      return readFileSync(f);
    },
  };
}

describe('splitCsvByFirstField', () => {
  it("writes each key's records, less the key, byte for byte as DuckDB writes them alone, mode 0600", async () => {
    const dir = tempDir('split');
    const { whole, expected } = await writeTable(dir);
    const out = join(dir, 'out');
    mkdirSync(out);
    const n = await splitCsvByFirstField(whole, out, (k) => `${k}.csv`, /^\d{10}$/);
    expect(n).toBe(3);
    expect(readdirSync(out).sort()).toEqual(['1111111111.csv', '2222222222.csv', '3333333333.csv']);
    for (const k of ['1111111111', '2222222222', '3333333333']) {
      const got = readFileSync(join(out, `${k}.csv`));
      expect(got.equals(await expected(k)), k).toBe(true);
      expect(statSync(join(out, `${k}.csv`)).mode & 0o777).toBe(0o600);
    }
    // The quoting really was exercised: the second key's file holds a line feed inside quotes.
    expect(readFileSync(join(out, '2222222222.csv'), 'utf8')).toContain('"two\nlines and ""quotes""\n"');
  });

  it('refuses input not grouped by key, a key that is not a safe file name, and a cut-off last record', async () => {
    const dir = tempDir('split-bad');
    const out = (name: string): string => {
      const d = join(dir, name);
      mkdirSync(d);
      return d;
    };
    const file = (name: string, text: string): string => {
      const f = join(dir, name);
      writeFileSync(f, text);
      return f;
    };
    const pat = /^\d{10}$/;
    await expect(splitCsvByFirstField(file('a.csv', 'npi,x\n1111111111,1\n2222222222,2\n1111111111,3\n'), out('a'), (k) => k, pat)).rejects.toThrow(/not grouped/);
    await expect(splitCsvByFirstField(file('b.csv', 'npi,x\n../../etc,1\n'), out('b'), (k) => k, pat)).rejects.toThrow(/does not match/);
    await expect(splitCsvByFirstField(file('c.csv', 'npi,x\n1111111111,"open\n'), out('c'), (k) => k, pat)).rejects.toThrow(/ends inside a record/);
    // The same rows grouped: two files.
    expect(await splitCsvByFirstField(file('d.csv', 'npi,x\n1111111111,1\n1111111111,3\n2222222222,2\n'), out('d'), (k) => `${k}.csv`, pat)).toBe(2);
    expect(readFileSync(join(dir, 'd', '1111111111.csv'), 'utf8')).toBe('x\n1\n3\n');
  });
});
