// ageOnFebruaryFirstSql (age-sql.ts) against ageOnFebruaryFirst (demographics.ts): one rule, age
// on February 1 of the payment year (DOMAIN.md section 1, step 2), in SQL and in JavaScript.
import { describe, expect, it } from 'vitest';
import { sqlString } from '../data/duckdb.ts';
import { queryRows } from '../test/duckdb-helpers.ts';
import { ageOnFebruaryFirstSql } from './age-sql.ts';
import { ageOnFebruaryFirst } from './demographics.ts';

/** The SQL rule's age for each birth date, in order. */
async function sqlAges(birthDates: readonly string[], paymentYear: number): Promise<number[]> {
  const values = birthDates.map((d, i) => `(${i}, DATE ${sqlString(d)})`).join(', ');
  const rows = await queryRows(
    `SELECT ${ageOnFebruaryFirstSql('b', paymentYear)}::INTEGER AS age FROM (VALUES ${values}) t(i, b) ORDER BY i`,
  );
  return rows.map((r) => Number(r.age));
}

describe('age on February 1 of the payment year, in SQL', () => {
  it('counts a birthday on February 1 as had, and one on February 2 or 29 as not yet', async () => {
    // Payment year 2025 (February 1, 2025):
    //   1960-01-31: birthday on Jan 31, already past  -> 2025 - 1960     = 65
    //   1960-02-01: birthday on the day itself         -> 2025 - 1960     = 65
    //   1960-02-02: birthday tomorrow                  -> 2025 - 1960 - 1 = 64
    //   1952-02-29: 0229 > 0201, not yet had           -> 2025 - 1952 - 1 = 72
    //   1960-12-31: the year's last day                -> 2025 - 1960 - 1 = 64
    //   1960-01-01: the year's first day               -> 2025 - 1960     = 65
    const dates = ['1960-01-31', '1960-02-01', '1960-02-02', '1952-02-29', '1960-12-31', '1960-01-01'];
    expect(await sqlAges(dates, 2025)).toEqual([65, 65, 64, 72, 64, 65]);
  });

  it('gives the JavaScript rule\'s age for every edge date, in leap and common payment years', async () => {
    // Birthdays on both sides of February 1 and on February 29, for members born in leap and common
    // years, in payment years 2024 (leap) to 2027; births from 1900 to 2023.
    const days = ['01-01', '01-31', '02-01', '02-02', '02-28', '03-01', '12-31'];
    const dates: string[] = [];
    for (const y of [1900, 1952, 1959, 1960, 2000, 2023]) for (const d of days) dates.push(`${y}-${d}`);
    dates.push('1952-02-29', '1960-02-29', '2000-02-29');
    for (const paymentYear of [2024, 2025, 2026, 2027]) {
      const js = dates.map((d) => ageOnFebruaryFirst(d, paymentYear));
      expect(await sqlAges(dates, paymentYear), `payment year ${paymentYear}`).toEqual(js);
    }
  });

  it('refuses a payment year that is not a whole number', () => {
    expect(() => ageOnFebruaryFirstSql('b', 2025.5)).toThrow(RangeError);
  });
});
