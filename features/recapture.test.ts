// The recapture family (recapture.ts) on hand-built members at as-of T = 2025: T-1 = 2024's V28
// HCCs first coded in its second half (not in RAF_init), and its factors weighted by each HCC's
// recapture rate from 2023 to 2024 (DOMAIN.md sections 2 and 3). Factors: V28 CNA relative
// factors of ra_coefficients_2026.csv for 37 (0.166) and 226 (0.36); 48's 0.2 is a round figure.
//
// The rates, over the members with the HCC in 2023 and a score in 2024:
//   HCC 37:  A, B, C, D had it in 2023; D has no 2024 score (left), so A, B, C count; A and B had
//            it again in 2024 -> 2/3.
//   HCC 226: A and C had it in 2023, both scored in 2024; only A had it again -> 1/2.
//   HCC 48:  nobody had it in 2023 -> no rate, taken as 0 (all of its factor transient).
import { beforeAll, describe, expect, it } from 'vitest';
import { RECAPTURE_FEATURES, recapture } from './recapture.ts';
import { familyRows, type FixtureRows, type HccRow, type HistoryRow } from './test-fixture.ts';

const T = 2025;
const MEMBERS = ['A', 'B', 'C', 'D'];

const HISTORY: HistoryRow[] = [
  ...MEMBERS.map((member_id) => ({ member_id, year: 2023 })),
  ...['A', 'B', 'C'].map((member_id) => ({ member_id, year: 2024 })),
];

const HCC: HccRow[] = [
  ...MEMBERS.map((member_id) => ({ member_id, year: 2023, hcc: 37, factor: 0.166 })),
  { member_id: 'A', year: 2023, hcc: 226, factor: 0.36 },
  { member_id: 'C', year: 2023, hcc: 226, factor: 0.36 },
  // A: 37 coded in the first half of 2024, 226 only in the second.
  { member_id: 'A', year: 2024, hcc: 37, factor: 0.166, in_initial: true },
  { member_id: 'A', year: 2024, hcc: 226, factor: 0.36, in_initial: false },
  // A's V24 HCC of the second half: the features count V28 HCCs only.
  { member_id: 'A', year: 2024, hcc: 18, factor: 0.302, in_initial: false, model: 'V24' },
  // B: 37 and a new 48, both in the second half of 2024.
  { member_id: 'B', year: 2024, hcc: 37, factor: 0.166, in_initial: false },
  { member_id: 'B', year: 2024, hcc: 48, factor: 0.2, in_initial: false },
  // C has 37 and 226 again only in 2025 (T): neither its features nor the rates may see it.
  { member_id: 'C', year: 2025, hcc: 37, factor: 0.166, in_initial: false },
  { member_id: 'C', year: 2025, hcc: 226, factor: 0.36, in_initial: false },
];

const PLAN: FixtureRows = {
  members: MEMBERS.map((member_id) => ({ member_id })),
  enrollment: MEMBERS.map((member_id) => ({ member_id, year: 2025 })),
  history: HISTORY,
  hcc: HCC,
};

describe('recapture', () => {
  let byId: Record<string, Record<string, unknown>>;
  let columns: string[];

  beforeAll(async () => {
    ({ byId, columns } = await familyRows(recapture, PLAN, T));
  });

  it('has member_id and its features in the order of its definitions, a row per member of the population', () => {
    expect(columns).toEqual(['member_id', ...RECAPTURE_FEATURES.map((d) => d.name)]);
    expect(Object.keys(byId).sort()).toEqual(MEMBERS);
  });

  it("counts the V28 HCCs of T-1 first coded in its second half (not in RAF_init_{T-1})", () => {
    // A: 226 (37 was in the initial window; V24's 18 does not count) -> 1. B: 37 and 48 -> 2.
    // C and D: no V28 HCC in 2024 (C's 2025 HCCs are T's) -> 0.
    expect([byId.A!.late_hccs_t1, byId.B!.late_hccs_t1, byId.C!.late_hccs_t1, byId.D!.late_hccs_t1]).toEqual([1, 2, 0, 0]);
  });

  it("weights T-1's factors by each HCC's recapture rate from T-2 to T-1", () => {
    // A: persistent 0.166 x 2/3 + 0.36 x 1/2 = 0.110667 + 0.18 = 0.290667;
    //    transient  0.166 x 1/3 + 0.36 x 1/2 = 0.055333 + 0.18 = 0.235333.
    expect(byId.A!.persistent_factor_t1).toBeCloseTo(0.290667, 6);
    expect(byId.A!.transient_factor_t1).toBeCloseTo(0.235333, 6);
    // B: persistent 0.166 x 2/3 + 0.2 x 0 = 0.110667; transient 0.166 x 1/3 + 0.2 x 1 = 0.255333.
    expect(byId.B!.persistent_factor_t1).toBeCloseTo(0.110667, 6);
    expect(byId.B!.transient_factor_t1).toBeCloseTo(0.255333, 6);
    // C and D have no V28 HCC in 2024: 0 and 0.
    expect(byId.C).toEqual({ member_id: 'C', late_hccs_t1: 0, persistent_factor_t1: 0, transient_factor_t1: 0 });
    expect(byId.D).toEqual({ member_id: 'D', late_hccs_t1: 0, persistent_factor_t1: 0, transient_factor_t1: 0 });
  });

  it("takes the rates from the rate history (the whole plan's), not from a shard's own members", async () => {
    // A shard holding only A: its own history would give 37 a rate of 1/1 and 226 of 1/1
    // (persistent 0.526, transient 0). With the whole plan's history as the rates' source, A's
    // figures are the plan's: 0.290667 and 0.235333.
    const shard = await familyRows(
      recapture,
      {
        members: [{ member_id: 'A' }],
        enrollment: [{ member_id: 'A', year: 2025 }],
        history: HISTORY.filter((h) => h.member_id === 'A'),
        hcc: HCC.filter((h) => h.member_id === 'A'),
        rateHistory: HISTORY,
        rateHcc: HCC,
      },
      T,
    );
    expect(Object.keys(shard.byId)).toEqual(['A']);
    expect(shard.byId.A!.late_hccs_t1).toBe(1);
    expect(shard.byId.A!.persistent_factor_t1).toBeCloseTo(0.290667, 6);
    expect(shard.byId.A!.transient_factor_t1).toBeCloseTo(0.235333, 6);
  });
});
