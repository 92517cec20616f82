// The feature table's members (population.ts) on six hand-built members at as-of 2025: enrolled
// in T for at least a month and alive on January 1 of T (DOMAIN.md section 3).
import { describe, expect, it } from 'vitest';
import { populationSql } from './population.ts';
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
