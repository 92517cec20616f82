// The feature table's members (population.ts) on six hand-built members at as-of 2025: enrolled
// in T for at least a month and alive on January 1 of T (DOMAIN.md section 3).
import { describe, expect, it } from 'vitest';
import { populationSql, requireMembersAt } from './population.ts';
import { queryFixture } from './test-fixture.ts';

const T = 2025;

describe('populationSql', () => {
  it('takes the members enrolled in T and alive on January 1 of T, and nobody else', async () => {
    const { rows } = await queryFixture(
      {
        members: [
          { member_id: 'IN', birth_date: '1950-03-10', sex: 'M', orec: '1' },
          { member_id: 'ZERO' },
          { member_id: 'ONLY2024' },
          { member_id: 'DIED2024', death_date: '2024-12-31' },
          { member_id: 'DIEDJAN1', death_date: '2025-01-01' },
          { member_id: 'DIED2025', death_date: '2025-06-01' },
        ],
        enrollment: [
          { member_id: 'IN', year: 2025, months_enrolled: 12 },
          { member_id: 'ZERO', year: 2025, months_enrolled: 0 }, // a row, but no month: out
          { member_id: 'ONLY2024', year: 2024, months_enrolled: 12 }, // not enrolled in T: out
          { member_id: 'DIED2024', year: 2025, months_enrolled: 1 }, // died before January 1 of T: out
          { member_id: 'DIEDJAN1', year: 2025, months_enrolled: 1 }, // alive on January 1 (died that day): in
          { member_id: 'DIED2025', year: 2025, months_enrolled: 6 }, // died during T: in
        ],
      },
      T,
      (src) => `SELECT member_id, birth_date::VARCHAR AS birth_date, sex, orec FROM (${populationSql(src)}) ORDER BY member_id`,
    );
    expect(rows).toEqual([
      { member_id: 'DIED2025', birth_date: '1950-06-15', sex: 'F', orec: '0' },
      { member_id: 'DIEDJAN1', birth_date: '1950-06-15', sex: 'F', orec: '0' },
      // The member's own fields, carried for the demographics.
      { member_id: 'IN', birth_date: '1950-03-10', sex: 'M', orec: '1' },
    ]);
  });
});

describe('populationSql for the coming year', () => {
  const members = [
    { member_id: 'FULL' },
    { member_id: 'LEFT' },
    { member_id: 'DIEDDEC' , death_date: '2025-12-31' },
    { member_id: 'DIEDJAN', death_date: '2026-01-01' },
  ];
  const enrollment2025 = [
    { member_id: 'FULL', year: 2025, months_enrolled: 12 }, // enrolled on December 31, 2025, alive: continues
    { member_id: 'LEFT', year: 2025, months_enrolled: 6 }, // left in June (enrollment runs from January): out
    { member_id: 'DIEDDEC', year: 2025, months_enrolled: 12 }, // died December 31, 2025: out
    { member_id: 'DIEDJAN', year: 2025, months_enrolled: 12 }, // alive on December 31, 2025: continues
  ];
  const ids = (src: Parameters<typeof populationSql>[0]): string => `SELECT member_id FROM (${populationSql(src)}) ORDER BY member_id`;

  it('without enrollment of T, takes the members enrolled and alive on December 31 of T-1', async () => {
    const { rows } = await queryFixture({ members, enrollment: enrollment2025 }, 2026, ids);
    expect(rows.map((r) => r.member_id)).toEqual(['DIEDJAN', 'FULL']);
  });

  it("with a January enrollment of T, takes it and not the assumption; a shard told 'assumed' takes the assumption", async () => {
    // LEFT came back in January 2026; FULL has no 2026 row (left on December 31).
    const enrollment = [...enrollment2025, { member_id: 'LEFT', year: 2026, months_enrolled: 1 }];
    expect((await queryFixture({ members, enrollment }, 2026, ids)).rows.map((r) => r.member_id)).toEqual(['LEFT']);
    expect((await queryFixture({ members, enrollment }, 2026, (src) => ids({ ...src, enrollmentOfAsOf: 'assumed' }))).rows.map((r) => r.member_id)).toEqual(['DIEDJAN', 'FULL']);
  });
});

describe('requireMembersAt', () => {
  it('refuses an as-of year without members (an empty list is no finding), naming the year and the data', () => {
    expect(() => requireMembersAt(0, 2031, 'runs/default')).toThrow(
      'no members at as-of 2031 in runs/default: no member is enrolled in 2031 and alive on January 1 (or, when the data has no enrollment in 2031, enrolled all of 2030 and alive at its end); there is no one to score',
    );
    expect(() => requireMembersAt(0, 2031, 'runs/default')).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
    // One member is enough.
    expect(() => requireMembersAt(1, 2031, 'runs/default')).not.toThrow();
  });
});
