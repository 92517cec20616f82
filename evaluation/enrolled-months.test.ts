// The months of payment year T+1 a member is paid for (DOMAIN.md section 4: only months enrolled
// and alive), on hand-built members and enrollment rows: the count of each worked out beside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb } from '../data/duckdb.ts';
import { enrolledInAugust, monthsPaid, readMonthsPaid, readMonthsPaidOf } from './enrolled-months.ts';

describe('monthsPaid: enrolled from January for months_enrolled months, never after the month of death', () => {
  it('counts the months enrolled in the payment year', () => {
    expect(monthsPaid(12, null, 2025)).toBe(12);
    // Leaves in July: enrolled January-June, 6 months; not enrolled in August, so no lump sum.
    expect(monthsPaid(6, null, 2025)).toBe(6);
    expect(enrolledInAugust(6)).toBe(false);
    // No enrollment row for the payment year, or a row of 0 months: not enrolled.
    expect(monthsPaid(null, null, 2025)).toBe(0);
    expect(monthsPaid(0, null, 2025)).toBe(0);
  });

  it('stops at the month of death, which is paid', () => {
    // Dies on March 14 of the payment year with a row of 12 months: January-March, 3 months.
    expect(monthsPaid(12, '2025-03-14', 2025)).toBe(3);
    // Dies in September with a row of 12 months: January-September, 9 months; dying on August 31
    // leaves August paid, so the lump sum with it.
    expect(monthsPaid(12, '2025-09-02', 2025)).toBe(9);
    expect(enrolledInAugust(monthsPaid(12, '2025-08-31', 2025))).toBe(true);
    // Died in the year before (a stale row of 12 months): no month of the payment year.
    expect(monthsPaid(12, '2024-11-30', 2025)).toBe(0);
    // Dies after the payment year: the enrollment rules.
    expect(monthsPaid(7, '2026-02-01', 2025)).toBe(7);
  });
});

describe('readMonthsPaidOf', () => {
  let db: Awaited<ReturnType<typeof openDuckDb>>;
  beforeAll(async () => {
    db = await openDuckDb();
    await db.connection.run(`
      CREATE TABLE members (member_id VARCHAR, death_date DATE);
      INSERT INTO members VALUES ('dies-march', DATE '2025-03-20'), ('leaves-july', NULL), ('joins-in-T', NULL), ('died-in-T', DATE '2024-10-05'), ('stays', NULL);
      CREATE TABLE enrollment (member_id VARCHAR, year INTEGER, months_enrolled INTEGER);
      INSERT INTO enrollment VALUES
        ('dies-march', 2024, 12), ('dies-march', 2025, 3),
        ('leaves-july', 2024, 12), ('leaves-july', 2025, 6),
        ('joins-in-T', 2024, 4), ('joins-in-T', 2025, 12),
        ('died-in-T', 2024, 10),
        ('stays', 2024, 12), ('stays', 2025, 12);`);
  });
  afterAll(() => db.close());

  it('reads payment year T+1, not T, for each member in the order given', async () => {
    // T = 2024, payment year 2025. dies-march: 3 (January-March). leaves-july: 6. joins-in-T:
    // enrolled September-December 2024 (4 months) and all of 2025: 12, a full year with its lump
    // sum. died-in-T: no 2025 row, 0. stays: 12. An id the members file lacks: 0.
    const paid = await readMonthsPaidOf(db.connection, 2025, ['stays', 'dies-march', 'leaves-july', 'joins-in-T', 'died-in-T', 'unknown']);
    expect(Array.from(paid.months)).toEqual([12, 3, 6, 12, 0, 0]);
    expect(paid.assumed).toBeNull();
    expect(Array.from(await readMonthsPaid(db.connection, 2025, ['dies-march', 'stays']))).toEqual([3, 12]);
  });

  it('without any enrollment for the payment year, assumes the members enrolled and alive on December 31 continue, and says so', async () => {
    // 2026 is not in the data: enrolled in December 2025 (12 months under the assumption) and
    // alive: stays and joins-in-T, 12 months each. dies-march died in 2025; leaves-july left in
    // June 2025; died-in-T has no 2025 row. Not 0 for everyone, and not 12 for everyone.
    const paid = await readMonthsPaidOf(db.connection, 2026, ['stays', 'dies-march', 'leaves-july', 'joins-in-T', 'died-in-T']);
    expect(Array.from(paid.months)).toEqual([12, 0, 0, 12, 0]);
    expect(paid.assumed).toEqual({
      paymentYear: 2026,
      members: 2,
      assumption: 'the data has no enrollment for 2026: members enrolled and alive on December 31, 2025 are assumed enrolled all of 2026',
    });
  });
});
