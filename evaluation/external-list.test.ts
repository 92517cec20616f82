// A list made elsewhere (`rafcast evaluate --list`): read from CSV or Parquet, ordered by its rank
// or its rows, placed on the members of as-of T; bad input named by file, row and field, never by
// member id.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDuckDb } from '../data/duckdb.ts';
import { InputError } from '../data/errors.ts';
import { tempDir } from '../test/temp-dir.ts';
import { placeExternalList, readExternalList } from './external-list.ts';

const csv = (text: string, name = 'list.csv'): string => {
  const f = join(tempDir('list'), name);
  writeFileSync(f, text);
  return f;
};

/** The error a read throws (it must be an InputError). */
async function readError(file: string): Promise<InputError> {
  try {
    await readExternalList(file);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('readExternalList and placeExternalList', () => {
  it('orders by the rank column (ties in file order) and counts ids that are not members', async () => {
    // Rows: 1 M2 rank 2; 2 XX (not a member) rank 1; 3 M1 rank 1; 4 M4 rank 2.
    const list = await readExternalList(csv('member_id,rank\nM2,2\nXX,1\nM1,1\nM4,2\n'));
    expect(list.order).toBe('rank');
    // By rank then row: XX (row 2, unknown), M1 (row 3), M2 (row 1), M4 (row 4).
    // Members M1..M5: M1 scores 3, M2 2, M4 1, M3 and M5 0.
    const placed = placeExternalList(list, ['M1', 'M2', 'M3', 'M4', 'M5']);
    expect(Array.from(placed.score)).toEqual([3, 2, 0, 1, 0]);
    // rows 4 = 3 evaluated + 1 unknown; 3 of 5 members.
    expect(placed.summary).toEqual({ file: 'list.csv', format: 'csv', rows: 4, evaluated: 3, unknown: 1, order: 'rank', share: 0.6 });
  });

  it('takes the file order when there is no rank column, whatever the other columns', async () => {
    const list = await readExternalList(csv('vendor_score,Member_ID\n0.9,M3\n0.8,M1\n'));
    expect(list.order).toBe('file');
    expect(Array.from(placeExternalList(list, ['M1', 'M2', 'M3']).score)).toEqual([1, 0, 2]);
  });

  it('reads Parquet, with numeric member ids and ranks', async () => {
    const file = join(tempDir('list'), 'vendor.parquet');
    const db = await openDuckDb();
    try {
      await db.connection.run(`COPY (SELECT * FROM (VALUES (102, 2::BIGINT), (101, 1::BIGINT)) t(member_id, rank)) TO '${file}' (FORMAT parquet)`);
    } finally {
      db.close();
    }
    const placed = placeExternalList(await readExternalList(file), ['100', '101', '102']);
    expect(Array.from(placed.score)).toEqual([0, 2, 1]);
    expect(placed.summary).toMatchObject({ format: 'parquet', rows: 2, evaluated: 2, unknown: 0 });
  });

  it('rejects a repeated member id with the rows, never the id', async () => {
    const file = csv('member_id\nSECRET-1\nSECRET-2\nSECRET-1\nSECRET-2\nSECRET-3\n');
    const e = await readError(file);
    expect(e.message).toBe(`file ${file}, field member_id: 2 member ids listed more than once: row 3 repeats row 1, row 4 repeats row 2`);
    expect(e.message).not.toMatch(/SECRET/);
    expect(e.unrecoverable).toBe(true);
  });

  it('names the file, the row and the field of bad input', async () => {
    const noId = csv('id,rank\nM1,1\n');
    expect((await readError(noId)).message).toBe(`file ${noId}, row 0, field member_id: no member_id column; the columns are "id", "rank"`);
    expect((await readError(noId)).code).toBe('E_INPUT_HEADER');
    const emptyId = csv('member_id,rank\nM1,1\n ,2\n');
    expect((await readError(emptyId)).message).toBe(`file ${emptyId}, row 2, field member_id: empty member id`);
    const badRank = csv('member_id,rank\nM1,first\n');
    expect((await readError(badRank)).message).toBe(`file ${badRank}, row 1, field rank: expected a number (1 = first), found "first"`);
    const short = csv('member_id,rank\nM1,1\nM2\n');
    expect((await readError(short)).message).toBe(`file ${short}, row 2: expected 2 fields as in the header, found 1`);
    const empty = csv('member_id\n');
    expect((await readError(empty)).message).toBe(`file ${empty}: the list has no rows`);
  });

  it('refuses a list none of whose members is a member at as-of T', async () => {
    const list = await readExternalList(csv('member_id\nSECRET-9\n'));
    expect(() => placeExternalList(list, ['M1'])).toThrow(/none of the list's 1 member ids is a member/);
    expect(() => placeExternalList(list, ['M1'])).not.toThrow(/SECRET/);
  });
});
