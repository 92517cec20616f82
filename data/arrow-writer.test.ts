// The Arrow IPC writer: rows read back with apache-arrow equal the query's rows, type by type,
// across record batch boundaries (70,000 rows > one 65,536-row batch), and an empty result
// keeps its schema.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { writeArrowIpc } from './arrow-writer.ts';
import { openDuckDb } from './duckdb.ts';
import { tempDir } from '../test/temp-dir.ts';

describe('writeArrowIpc', () => {
  it('writes text, integers, amounts, booleans, dates and code lists that read back the same', async () => {
    const dir = tempDir('arrow');
    const db = await openDuckDb();
    const sql = `SELECT 'C' || i AS claim_id, i::INTEGER AS n, (i / 100)::DECIMAL(14,2) AS paid, i % 2 = 0 AS even,
      DATE '2025-01-01' + (i % 365)::INTEGER AS from_date, CASE WHEN i % 3 = 0 THEN NULL ELSE ['E1122', 'I5022'][1:(i % 3)::INTEGER] END AS dx
      FROM range(70000) t(i)`;
    const path = join(dir, 'claims.arrow');
    expect(await writeArrowIpc(db.connection, sql, path)).toBe(70000);
    db.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const table = tableFromIPC(readFileSync(path));
    expect(table.numRows).toBe(70000);
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'claim_id:Utf8', 'n:Int32', 'paid:Float64', 'even:Bool', 'from_date:Date32<DAY>', 'dx:List<Utf8>',
    ]);
    for (const i of [0, 1, 2, 65535, 65536, 69999]) {
      const row = table.get(i)!.toJSON();
      expect({ ...row, from_date: new Date(row.from_date as number).toISOString().slice(0, 10), dx: row.dx === null ? null : [...(row.dx as Iterable<string>)] }).toEqual({
        claim_id: `C${i}`,
        n: i,
        paid: Math.round(i) / 100,
        even: i % 2 === 0,
        from_date: new Date(Date.UTC(2025, 0, 1 + (i % 365))).toISOString().slice(0, 10),
        dx: i % 3 === 0 ? null : ['E1122', 'I5022'].slice(0, i % 3),
      });
    }
  });

  it('an empty result is a file with the schema and no rows', async () => {
    const dir = tempDir('arrow');
    const db = await openDuckDb();
    const path = join(dir, 'empty.arrow');
    expect(await writeArrowIpc(db.connection, `SELECT 'x' AS a, 1 AS b WHERE false`, path)).toBe(0);
    db.close();
    const table = tableFromIPC(readFileSync(path));
    expect([table.numRows, table.schema.fields.map((f) => f.name)]).toEqual([0, ['a', 'b']]);
  });
});
