import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.ts';
import { defaultCutoff, parseCutoff, receivedBySql } from './received-by.ts';

describe('received by a cut-off', () => {
  it('counts a claim by its received_date, else by its thru_date, the cut-off day included', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    // Four claims against a cut-off of 2025-01-01:
    // a: served 2024-12-20, received 2025-01-01 -> known (the cut-off day counts);
    // b: served 2024-12-20, received 2025-01-02 -> not known;
    // c: served 2024-12-31, no received_date -> counts as received 2024-12-31 -> known;
    // d: served 2025-01-02, no received_date -> not known.
    await conn.run(`CREATE TABLE claims AS SELECT * FROM (VALUES
      ('a', DATE '2024-12-20', DATE '2025-01-01'), ('b', DATE '2024-12-20', DATE '2025-01-02'),
      ('c', DATE '2024-12-31', NULL::DATE), ('d', DATE '2025-01-02', NULL::DATE)) t(claim_id, thru_date, received_date)`);
    const known = (await conn.runAndReadAll(`SELECT claim_id FROM claims c WHERE ${receivedBySql('2025-01-01', 'c')} ORDER BY claim_id`)).getRowObjectsJson();
    expect(known.map((r) => r.claim_id)).toEqual(['a', 'c']);
    conn.closeSync();
  });

  it('takes January 1 of the as-of year by default and rejects a date that is not one', () => {
    expect(defaultCutoff(2025)).toBe('2025-01-01');
    expect(parseCutoff('2025-01-15')).toBe('2025-01-15');
    for (const bad of ['2025-02-30', '2025-1-5', "2025-01-01'; DROP TABLE claims; --", 'tomorrow']) expect(() => parseCutoff(bad)).toThrow(ConfigError);
  });
});
