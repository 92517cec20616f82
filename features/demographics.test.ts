// The demographics family (demographics.ts) on four hand-built members at as-of T = 2025: age on
// February 1 of T + 1 = 2026 (the engine's rule, DOMAIN.md section 1 step 2), sex and OREC from the
// members file, dual status, institutional and months from the enrollment of T-1 = 2024 (T-2 =
// 2023 for months_t2), the segment of RAF_{T-1} from the history. Nothing of T itself counts.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMOGRAPHIC_FEATURES, demographics } from './demographics.ts';
import { familyRows } from './test-fixture.ts';

const T = 2025;

/** The segment features: 1 for `segment`, 0 for the seven others (none when `segment` is null). */
function segment(s: string | null): Record<string, number> {
  return Object.fromEntries(['CNA', 'CND', 'CFA', 'CFD', 'CPA', 'CPD', 'INS', 'NE'].map((x) => [`segment_${x}`, x === s ? 1 : 0]));
}

describe('demographics', () => {
  let byId: Record<string, Record<string, unknown>>;
  let columns: string[];

  beforeAll(async () => {
    ({ byId, columns } = await familyRows(
      demographics,
      {
        members: [
          { member_id: 'FEB1', birth_date: '1956-02-01', sex: 'F', orec: '0' },
          { member_id: 'FEB2', birth_date: '1956-02-02', sex: 'M', orec: '3' },
          { member_id: 'LEAP', birth_date: '1960-02-29', sex: 'F', orec: '2' },
          { member_id: 'JAN31', birth_date: '1940-01-31', sex: 'M', orec: '1' },
        ],
        enrollment: [
          { member_id: 'FEB1', year: 2023, months_enrolled: 7 },
          { member_id: 'FEB1', year: 2024, months_enrolled: 12, dual_status: 'full' },
          // T's own enrollment says partial dual and institutional: it must not count.
          { member_id: 'FEB1', year: 2025, months_enrolled: 12, dual_status: 'partial', institutional: true },
          { member_id: 'FEB2', year: 2024, months_enrolled: 5, dual_status: 'partial', institutional: true },
          { member_id: 'FEB2', year: 2025 },
          { member_id: 'LEAP', year: 2025 }, // new to the plan in T
          // Full dual in T-2, not in T-1: T-1 counts.
          { member_id: 'JAN31', year: 2023, months_enrolled: 4, dual_status: 'full' },
          { member_id: 'JAN31', year: 2024, months_enrolled: 12 },
          { member_id: 'JAN31', year: 2025 },
        ],
        history: [
          { member_id: 'FEB1', year: 2024, segment: 'CFA' },
          { member_id: 'FEB2', year: 2024, segment: 'INS' },
          { member_id: 'JAN31', year: 2023, segment: 'CFA' },
          { member_id: 'JAN31', year: 2024, segment: 'CNA' },
          { member_id: 'LEAP', year: 2025, segment: 'CPD' }, // T's own score: must not count
        ],
      },
      T,
    ));
  });

  it('has member_id and its features in the order of its definitions, a row per member of the population', () => {
    expect(columns).toEqual(['member_id', ...DEMOGRAPHIC_FEATURES.map((d) => d.name)]);
    expect(Object.keys(byId).sort()).toEqual(['FEB1', 'FEB2', 'JAN31', 'LEAP']);
  });

  it('works out age on February 1 of T + 1: a birthday on February 1 counts, February 2 and 29 not yet', () => {
    // 2026 - 1956 = 70 (born Feb 1: had the birthday); 2026 - 1956 - 1 = 69 (born Feb 2: not yet);
    // 2026 - 1960 - 1 = 65 (born Feb 29: 0229 is after 0201); 2026 - 1940 = 86 (born Jan 31).
    expect([byId.FEB1!.age, byId.FEB2!.age, byId.LEAP!.age, byId.JAN31!.age]).toEqual([70, 69, 65, 86]);
  });

  it('reads sex and OREC: disabled for OREC 1 or 3, ESRD for OREC 2 or 3', () => {
    // FEB1: F, OREC 0 -> neither. FEB2: M, OREC 3 (disability and ESRD) -> both.
    // LEAP: F, OREC 2 (ESRD) -> ESRD only. JAN31: M, OREC 1 (disability) -> disabled only.
    expect(byId.FEB1).toMatchObject({ female: 1, orec_disabled: 0, orec_esrd: 0 });
    expect(byId.FEB2).toMatchObject({ female: 0, orec_disabled: 1, orec_esrd: 1 });
    expect(byId.LEAP).toMatchObject({ female: 1, orec_disabled: 0, orec_esrd: 1 });
    expect(byId.JAN31).toMatchObject({ female: 0, orec_disabled: 1, orec_esrd: 0 });
  });

  it('takes dual status, institutional, months and segment from T-1 (months_t2 from T-2), 0 without a row', () => {
    // FEB1: full dual in 2024 (its 2025 partial/institutional row ignored), 12 months in 2024, 7 in 2023, CFA.
    expect(byId.FEB1).toMatchObject({ dual_full: 1, dual_partial: 0, institutional: 0, months_t1: 12, months_t2: 7, ...segment('CFA') });
    // FEB2: partial and institutional in 2024, 5 months; no 2023 row -> months_t2 0; INS.
    expect(byId.FEB2).toMatchObject({ dual_full: 0, dual_partial: 1, institutional: 1, months_t1: 5, months_t2: 0, ...segment('INS') });
    // LEAP: no 2024 or 2023 rows and no 2024 score -> every flag, month and segment 0 (its 2025 score ignored).
    expect(byId.LEAP).toMatchObject({ dual_full: 0, dual_partial: 0, institutional: 0, months_t1: 0, months_t2: 0, ...segment(null) });
    // JAN31: not dual in 2024 though full dual in 2023; 12 months in 2024, 4 in 2023; CNA in 2024 (CFA in 2023).
    expect(byId.JAN31).toMatchObject({ dual_full: 0, dual_partial: 0, institutional: 0, months_t1: 12, months_t2: 4, ...segment('CNA') });
  });
});
