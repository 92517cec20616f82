// Which member-years the history has (member-years.ts: enrolled in y, alive on January 1 of y;
// scoring/README.md) on hand-built members and enrollment rows, each verdict worked out beside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDb } from '../../data/duckdb.ts';
import { createMemberYears } from './member-years.ts';

describe('createMemberYears (service years 2024-2025)', () => {
  let db: { connection: DuckDBConnection; close: () => void };
  const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await db.connection.runAndReadAll(sql)).getRowObjectsJson();

  beforeAll(async () => {
    db = await openDuckDb();
    // Listed out of member_id order: the keys follow member_id, not the file.
    await db.connection.run(
      `CREATE TABLE members AS SELECT * FROM (VALUES
         ('D', DATE '1950-03-10', 'F', '0', DATE '2025-01-01'),
         ('B', DATE '1950-03-10', 'F', '0', NULL),
         ('A', DATE '1940-01-01', 'M', '0', DATE '2024-05-10'),
         ('C', DATE '1945-06-01', 'M', '1', DATE '2024-12-31')
       ) t(member_id, birth_date, sex, orec, death_date)`,
    );
    await db.connection.run(
      `CREATE TABLE enrollment AS SELECT * FROM (VALUES
         ('A', 2024, 5, 'none', false, false),   -- died May 2024: alive on January 1, a row
         ('A', 2025, 2, 'none', false, false),   -- after the year of death: no row
         ('B', 2023, 12, 'none', false, false),  -- before the first year asked for: no row
         ('B', 2024, 0, 'none', false, false),   -- 0 months enrolled: no row
         ('B', 2025, 12, 'full', true, false),   -- a row, with this enrollment row's fields
         ('B', 2026, 12, 'none', false, false),  -- after the last year asked for: no row
         ('C', 2025, 1, 'none', false, false),   -- died on December 31, 2024: no row in 2025
         ('D', 2025, 3, 'none', false, true)     -- died on January 1, 2025: the year of death keeps its row
       ) t(member_id, year, months_enrolled, dual_status, institutional, new_enrollee)`,
    );
    await createMemberYears(db.connection, 2024, 2025);
  });
  afterAll(() => db.close());

  it('keys members from 0 in member_id order', async () => {
    expect(await rows(`SELECT mk, member_id FROM _hist_members ORDER BY mk`)).toEqual([
      { mk: 0, member_id: 'A' },
      { mk: 1, member_id: 'B' },
      { mk: 2, member_id: 'C' },
      { mk: 3, member_id: 'D' },
    ]);
  });

  it('has a member-year when enrolled in y (months > 0), y asked for, and y not after the year of death', async () => {
    // A 2024 (mk 0), B 2025 (mk 1), D 2025 (mk 3): every other enrollment row is set aside above.
    expect(await rows(`SELECT mk, year, months_enrolled FROM _hist_my ORDER BY mk, year`)).toEqual([
      { mk: 0, year: 2024, months_enrolled: 5 },
      { mk: 1, year: 2025, months_enrolled: 12 },
      { mk: 3, year: 2025, months_enrolled: 3 },
    ]);
  });

  it("carries the enrollment row's fields of y and the member's", async () => {
    expect(
      await rows(`SELECT dual_status, institutional, new_enrollee, sex, orec, birth_date::VARCHAR AS birth_date, death_date FROM _hist_my WHERE mk = 1`),
    ).toEqual([{ dual_status: 'full', institutional: true, new_enrollee: false, sex: 'F', orec: '0', birth_date: '1950-03-10', death_date: null }]);
  });
});
