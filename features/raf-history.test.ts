// The RAF history family (raf-history.ts) on four hand-built members at as-of T = 2025: RAF_{T-1}
// is the history's 2024 row, RAF_{T-2} its 2023 row (DOMAIN.md section 3); a member without a row
// is marked missing and gets 0, and the change is 0 unless both years are there.
import { beforeAll, describe, expect, it } from 'vitest';
import { RAF_HISTORY_FEATURES, rafHistory } from './raf-history.ts';
import { familyRows } from './test-fixture.ts';

const T = 2025;

describe('rafHistory', () => {
  let byId: Record<string, Record<string, unknown>>;
  let columns: string[];

  beforeAll(async () => {
    ({ byId, columns } = await familyRows(
      rafHistory,
      {
        members: ['BOTH', 'NEW', 'ONLYT1', 'ONLYT2'].map((member_id) => ({ member_id })),
        enrollment: ['BOTH', 'NEW', 'ONLYT1', 'ONLYT2'].map((member_id) => ({ member_id, year: 2025 })),
        history: [
          { member_id: 'BOTH', year: 2023, raf: 0.987, raw_v24: 1.2, raw_v28: 1.1, raf_init: 0.9 },
          { member_id: 'BOTH', year: 2024, raf: 1.234, raw_v24: 1.5, raw_v28: 1.4, raf_init: 1.1 },
          { member_id: 'BOTH', year: 2025, raf: 9, raw_v24: 9, raw_v28: 9, raf_init: 9 }, // RAF_T: never a feature
          { member_id: 'ONLYT1', year: 2024, raf: 0.8, raw_v24: 0.85, raw_v28: 0.75, raf_init: 0.7 },
          { member_id: 'ONLYT2', year: 2023, raf: 0.6, raw_v24: 0.65, raw_v28: 0.55, raf_init: 0.5 },
        ],
      },
      T,
    ));
  });

  it('has member_id and its features in the order of its definitions, a row per member of the population', () => {
    expect(columns).toEqual(['member_id', ...RAF_HISTORY_FEATURES.map((d) => d.name)]);
    expect(Object.keys(byId).sort()).toEqual(['BOTH', 'NEW', 'ONLYT1', 'ONLYT2']);
  });

  it('takes RAF_{T-1} from 2024 and RAF_{T-2} from 2023, never RAF_T', () => {
    // raf_change = 1.234 - 0.987 = 0.247 (to a double's rounding).
    const { raf_change: change, ...rest } = byId.BOTH!;
    expect(rest).toEqual({
      member_id: 'BOTH', missing_t1: 0, missing_t2: 0, raf_t1: 1.234, raf_t2: 0.987,
      raw_v24_t1: 1.5, raw_v28_t1: 1.4, raw_v24_t2: 1.2, raw_v28_t2: 1.1, raf_init_t1: 1.1,
    });
    expect(change).toBeCloseTo(0.247, 12);
  });

  it('marks a member new to the plan missing in both years, with 0 scores rather than a healthy one', () => {
    expect(byId.NEW).toEqual({
      member_id: 'NEW', missing_t1: 1, missing_t2: 1, raf_t1: 0, raf_t2: 0, raf_change: 0,
      raw_v24_t1: 0, raw_v28_t1: 0, raw_v24_t2: 0, raw_v28_t2: 0, raf_init_t1: 0,
    });
  });

  it('gives a change of 0, not the one score, when either year is missing', () => {
    // ONLYT1: RAF_{T-1} 0.8 and no RAF_{T-2}: the change is 0, not 0.8 - 0.
    expect(byId.ONLYT1).toEqual({
      member_id: 'ONLYT1', missing_t1: 0, missing_t2: 1, raf_t1: 0.8, raf_t2: 0, raf_change: 0,
      raw_v24_t1: 0.85, raw_v28_t1: 0.75, raw_v24_t2: 0, raw_v28_t2: 0, raf_init_t1: 0.7,
    });
    // ONLYT2: scored in 2023, not in 2024 (back in 2025): missing_t1, RAF_{T-2} 0.6, change 0 (not -0.6).
    expect(byId.ONLYT2).toEqual({
      member_id: 'ONLYT2', missing_t1: 1, missing_t2: 0, raf_t1: 0, raf_t2: 0.6, raf_change: 0,
      raw_v24_t1: 0, raw_v28_t1: 0, raw_v24_t2: 0.65, raw_v28_t2: 0.55, raf_init_t1: 0,
    });
  });
});
