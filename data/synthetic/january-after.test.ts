// generatePopulationFiles with januaryAfter (issue 14, the list for the coming year): the January of
// the year after the last, as a plan knows it on January 1: an enrollment row of lastYear + 1
// with one month known for every member enrolled at the end of lastYear and for that January's
// joiners, and nothing else changed (the claims, truth and the earlier years' enrollment are the
// bytes of the same plan without it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqlString } from '../duckdb.ts';
import { queryRows } from '../../test/duckdb-helpers.ts';
import { tempDir } from '../../test/temp-dir.ts';
import { generatePopulationFiles } from './generate.ts';

describe('generatePopulationFiles januaryAfter', () => {
  let plain: string;
  let january: string;
  beforeAll(async () => {
    plain = tempDir('january-plain');
    january = tempDir('january-after');
    await generatePopulationFiles({ members: 300, firstYear: 2021, lastYear: 2025, seed: 3, out: plain, format: 'csv' });
    await generatePopulationFiles({ members: 300, firstYear: 2021, lastYear: 2025, seed: 3, out: january, format: 'csv', januaryAfter: true });
  }, 120_000);

  it('writes January 2026: the members enrolled at the end of 2025 and the joiners, one month each, up to 300 x 1.02^5', async () => {
    const e = (dir: string): string => `read_csv(${sqlString(join(dir, 'enrollment.csv'))}, header = true)`;
    const rows = await queryRows(`SELECT months_enrolled::INTEGER AS months, count(*)::INTEGER AS n FROM ${e(january)} WHERE year = 2026 GROUP BY ALL`);
    // The plan grows 2% a year from its first year: round(300 x 1.02^5) = round(331.22) = 331 members in January 2026.
    expect(rows).toEqual([{ months: 1, n: 331 }]);
    // Continuing: every member of 2025 who did not leave in 2025 (a member row without a death
    // date, or one dated after 2025, and no row of 2025 cut short); joiners: no row before 2026.
    const [{ continuing, joiners }] = (await queryRows(
      `SELECT count(*) FILTER (WHERE p.member_id IS NOT NULL)::INTEGER AS continuing, count(*) FILTER (WHERE p.member_id IS NULL)::INTEGER AS joiners
       FROM (SELECT member_id FROM ${e(january)} WHERE year = 2026) j LEFT JOIN (SELECT DISTINCT member_id FROM ${e(january)} WHERE year < 2026) p USING (member_id)`,
    )) as [{ continuing: number; joiners: number }];
    const [{ n }] = (await queryRows(
      `SELECT count(*)::INTEGER AS n FROM ${e(plain)} e JOIN read_csv(${sqlString(join(plain, 'members.csv'))}, header = true) m USING (member_id)
       WHERE e.year = 2025 AND e.months_enrolled = 12 AND m.death_date IS NULL`,
    )) as [{ n: number }];
    expect(continuing).toBeLessThanOrEqual(n);
    expect(continuing + joiners).toBe(331);
    expect(joiners).toBeGreaterThan(0);
  });

  it('changes nothing else: claims and truth the same bytes, the enrollment of 2021-2025 the same rows', () => {
    expect(readFileSync(join(january, 'claims.csv')).equals(readFileSync(join(plain, 'claims.csv')))).toBe(true);
    const before = (dir: string): string[] => readFileSync(join(dir, 'enrollment.csv'), 'utf8').split('\n').filter((l) => !/^[^,]*,2026,/.test(l));
    expect(before(january)).toEqual(before(plain));
  });
});
