// The drop-offs family (drop-offs.ts) on five hand-built members at as-of T = 2025: V28 HCCs in
// the member's 2023 (T-2) score that are not in its 2024 (T-1) score, counted, with their factors
// summed (DOMAIN.md section 3). Factors are the raf_hcc rows' (V28 CNA relative factors of
// ra_coefficients_2026.csv for 37 and 226; 85 and 48 are made-up round figures).
import { beforeAll, describe, expect, it } from 'vitest';
import { DROP_OFF_FEATURES, dropOffs } from './drop-offs.ts';
import { familyRows } from './test-fixture.ts';

const T = 2025;
const MEMBERS = ['KEPT', 'DROPPED', 'CROSS', 'V24ONLY', 'BACKINT'];

describe('dropOffs', () => {
  let byId: Record<string, Record<string, unknown>>;
  let columns: string[];

  beforeAll(async () => {
    ({ byId, columns } = await familyRows(
      dropOffs,
      {
        members: MEMBERS.map((member_id) => ({ member_id })),
        enrollment: MEMBERS.map((member_id) => ({ member_id, year: 2025 })),
        hcc: [
          // KEPT: 37 and 226 in both years.
          { member_id: 'KEPT', year: 2023, hcc: 37, factor: 0.166 },
          { member_id: 'KEPT', year: 2023, hcc: 226, factor: 0.36 },
          { member_id: 'KEPT', year: 2024, hcc: 37, factor: 0.166 },
          { member_id: 'KEPT', year: 2024, hcc: 226, factor: 0.36 },
          // DROPPED: 37, 85 and 226 in 2023, only 37 in 2024 (and a new 48 in 2024, not a drop-off).
          { member_id: 'DROPPED', year: 2023, hcc: 37, factor: 0.166 },
          { member_id: 'DROPPED', year: 2023, hcc: 85, factor: 0.5 },
          { member_id: 'DROPPED', year: 2023, hcc: 226, factor: 0.36 },
          { member_id: 'DROPPED', year: 2024, hcc: 37, factor: 0.166 },
          { member_id: 'DROPPED', year: 2024, hcc: 48, factor: 0.2 },
          // CROSS: 37 in 2023 only; KEPT has 37 in 2024, which is not CROSS's.
          { member_id: 'CROSS', year: 2023, hcc: 37, factor: 0.166 },
          // V24ONLY: a V24 HCC dropped; the features count V28 HCCs only.
          { member_id: 'V24ONLY', year: 2023, hcc: 18, factor: 0.302, model: 'V24' },
          // BACKINT: 48 in 2023, not in 2024, coded again in 2025 (T): still a drop-off at the start of T.
          { member_id: 'BACKINT', year: 2023, hcc: 48, factor: 0.2 },
          { member_id: 'BACKINT', year: 2025, hcc: 48, factor: 0.2 },
        ],
      },
      T,
    ));
  });

  it('has member_id and its features in the order of its definitions, a row per member of the population', () => {
    expect(columns).toEqual(['member_id', ...DROP_OFF_FEATURES.map((d) => d.name)]);
    expect(Object.keys(byId).sort()).toEqual([...MEMBERS].sort());
  });

  it('counts no drop-off when every HCC of T-2 is coded again in T-1', () => {
    expect(byId.KEPT).toEqual({ member_id: 'KEPT', dropped_hccs: 0, dropped_factor: 0 });
  });

  it('counts the HCCs of T-2 missing from T-1 and sums their factors', () => {
    // 85 and 226 dropped: 2 HCCs, 0.5 + 0.36 = 0.86 (37 kept; 48 is new in 2024, not a drop-off).
    expect(byId.DROPPED).toMatchObject({ dropped_hccs: 2 });
    expect(byId.DROPPED!.dropped_factor).toBeCloseTo(0.86, 12);
  });

  it("matches an HCC with the member's own T-1 HCCs only", () => {
    // Another member's 37 in 2024 does not keep CROSS's: 1 drop-off, factor 0.166.
    expect(byId.CROSS).toEqual({ member_id: 'CROSS', dropped_hccs: 1, dropped_factor: 0.166 });
  });

  it('counts V28 HCCs only, and looks at nothing dated in T', () => {
    expect(byId.V24ONLY).toEqual({ member_id: 'V24ONLY', dropped_hccs: 0, dropped_factor: 0 });
    // 48 dropped from 2023 to 2024; its return in 2025 is not known at the start of 2025.
    expect(byId.BACKINT).toEqual({ member_id: 'BACKINT', dropped_hccs: 1, dropped_factor: 0.2 });
  });
});
