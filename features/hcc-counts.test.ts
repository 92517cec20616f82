// The HCC counts family (hcc-counts.ts) on three hand-built members at as-of T = 2025: the V28
// payment HCC counts of the history's 2024 (T-1) and 2023 (T-2) rows, 0 in a year without a row.
import { beforeAll, describe, expect, it } from 'vitest';
import { HCC_COUNT_FEATURES, hccCounts } from './hcc-counts.ts';
import { familyRows } from './test-fixture.ts';

const T = 2025;

describe('hccCounts', () => {
  let byId: Record<string, Record<string, unknown>>;
  let columns: string[];

  beforeAll(async () => {
    ({ byId, columns } = await familyRows(
      hccCounts,
      {
        members: ['BOTH', 'NEW', 'LEFT'].map((member_id) => ({ member_id })),
        enrollment: ['BOTH', 'NEW', 'LEFT'].map((member_id) => ({ member_id, year: 2025 })),
        history: [
          { member_id: 'BOTH', year: 2023, n_hcc_v28: 2 },
          { member_id: 'BOTH', year: 2024, n_hcc_v28: 3 },
          { member_id: 'BOTH', year: 2025, n_hcc_v28: 7 }, // T's own: never a feature
          { member_id: 'LEFT', year: 2023, n_hcc_v28: 4 }, // not scored in 2024
        ],
      },
      T,
    ));
  });

  it('has member_id and its features in the order of its definitions, a row per member of the population', () => {
    expect(columns).toEqual(['member_id', ...HCC_COUNT_FEATURES.map((d) => d.name)]);
    expect(Object.keys(byId).sort()).toEqual(['BOTH', 'LEFT', 'NEW']);
  });

  it('counts the HCCs of T-1 and T-2, and 0 for a year without a score', () => {
    // BOTH: 3 in 2024, 2 in 2023 (its 7 of 2025 ignored). NEW: no rows -> 0, 0. LEFT: 2023 only -> 0, 4.
    expect(byId.BOTH).toEqual({ member_id: 'BOTH', hccs_t1: 3, hccs_t2: 2 });
    expect(byId.NEW).toEqual({ member_id: 'NEW', hccs_t1: 0, hccs_t2: 0 });
    expect(byId.LEFT).toEqual({ member_id: 'LEFT', hccs_t1: 0, hccs_t2: 4 });
  });
});
