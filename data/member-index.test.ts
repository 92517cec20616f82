// Per-member reads by a member's place in a list of ids (data/member-index.ts), on a hand-built
// table: each expected value is the table's row for that member, written beside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb } from './duckdb.ts';
import { createMemberIndex, forEachRowByIndex, isMemberIndex, readByIndex, readIds } from './member-index.ts';

describe('member index', () => {
  let db: Awaited<ReturnType<typeof openDuckDb>>;
  beforeAll(async () => {
    db = await openDuckDb();
    // Rows in another order than the ids, one member without a row, one row of no member, an id
    // with a quote and a comma.
    await db.connection.run(`
      CREATE TABLE scores (member_id VARCHAR, raf DOUBLE, raf_init DOUBLE, note VARCHAR);
      INSERT INTO scores VALUES ('c', 0.5, NULL, 'third'), ('a"1,x', 1.25, 1.0, 'first'), ('stranger', 9.0, 9.0, 'none'), ('b', 2.0, 1.5, NULL);
    `);
  });
  afterAll(() => db.close());

  it('lines each row up with the member by its place in the ids; a member without a row keeps the absent value', async () => {
    const ids = ['a"1,x', 'b', 'c', 'no-row'];
    const index = await createMemberIndex(db.connection, ids, '_test_index');
    expect(index).toEqual({ table: '_test_index', n: 4 });
    expect(isMemberIndex(index)).toBe(true);
    expect(isMemberIndex(ids)).toBe(false);
    const [raf, init] = await readByIndex(db.connection, `SELECT x.i, s.raf, s.raf_init FROM scores s JOIN ${index.table} x USING (member_id)`, index, 2);
    // a"1,x: 1.25 and 1.0; b: 2.0 and 1.5; c: 0.5 and NULL (NaN); no-row: absent (NaN).
    expect(Array.from(raf!)).toEqual([1.25, 2.0, 0.5, NaN]);
    expect(Array.from(init!)).toEqual([1.0, 1.5, NaN, NaN]);
    const [zero] = await readByIndex(db.connection, `SELECT x.i, s.raf FROM scores s JOIN ${index.table} x USING (member_id)`, index, 1, { absent: 0 });
    expect(Array.from(zero!)).toEqual([1.25, 2.0, 0.5, 0]);
    // Any values, row by row: the notes of a"1,x, b (NULL) and c.
    const notes: unknown[] = new Array(4).fill('unread');
    await forEachRowByIndex(db.connection, `SELECT x.i, s.note FROM scores s JOIN ${index.table} x USING (member_id)`, (i, [note]) => (notes[i] = note));
    expect(notes).toEqual(['first', null, 'third', 'unread']);
    // The ids a query gives, in its order: a"1,x sorts before b, c and stranger.
    expect(await readIds(db.connection, 'SELECT member_id FROM scores ORDER BY member_id')).toEqual(['a"1,x', 'b', 'c', 'stranger']);
  });

  it('refuses a read that gives a member twice', async () => {
    const index = await createMemberIndex(db.connection, ['b', 'c'], '_test_twice');
    await expect(readByIndex(db.connection, `SELECT x.i, s.raf FROM scores s JOIN ${index.table} x ON true`, index, 1, { source: 'scores' })).rejects.toThrow('scores gives one member twice (the member at place 1 of 2)');
  });
});
