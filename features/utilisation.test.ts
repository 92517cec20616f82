// The utilisation family (utilisation.ts, over claim-ccs.ts) on two hand-built members at as-of
// T = 2025: claims of T-1 = 2024 by thru date, their paid dollars (and those mapping to no CC),
// professional and outpatient claims, inpatient days (DOMAIN.md section 3). The dx->CC table is
// the test's own two rows: E1122 -> 37, I5030 -> 226.
import { beforeAll, describe, expect, it } from 'vitest';
import { familyRows } from './test-fixture.ts';
import { UTILISATION_FEATURES, utilisation } from './utilisation.ts';

const T = 2025;

describe('utilisation', () => {
  let byId: Record<string, Record<string, unknown>>;
  let columns: string[];

  beforeAll(async () => {
    ({ byId, columns } = await familyRows(
      utilisation,
      {
        members: [{ member_id: 'U' }, { member_id: 'NONE' }, { member_id: 'GONE' }],
        enrollment: [{ member_id: 'U', year: 2025 }, { member_id: 'NONE', year: 2025 }, { member_id: 'GONE', year: 2024 }],
        dxCc: [['E1122', 37], ['I5030', 226]],
        claims: [
          { member_id: 'U', claim_type: 'professional', from_date: '2024-03-01', paid_amount: '100.00', diagnosis_codes: ['E1122'] }, // CC 37
          { member_id: 'U', claim_type: 'professional', from_date: '2024-06-01', paid_amount: '50.25', diagnosis_codes: ['Z0000'] }, // no CC
          { member_id: 'U', claim_type: 'outpatient', from_date: '2024-07-01', paid_amount: '200.00', diagnosis_codes: ['E1122', 'I5030'] },
          { member_id: 'U', claim_type: 'inpatient', from_date: '2024-02-10', thru_date: '2024-02-14', paid_amount: '5000.00', diagnosis_codes: ['I5030'] },
          // A stay from 2023 into 2024 belongs to 2024 by its thru date: 4 days, no CC.
          { member_id: 'U', claim_type: 'inpatient', from_date: '2023-12-30', thru_date: '2024-01-02', paid_amount: '1000.00' },
          // Not T-1: dated in 2023, in 2025, or a stay ending in 2025.
          { member_id: 'U', claim_type: 'professional', from_date: '2023-12-15', paid_amount: '999.00', diagnosis_codes: ['E1122'] },
          { member_id: 'U', claim_type: 'professional', from_date: '2025-01-05', paid_amount: '999.00' },
          { member_id: 'U', claim_type: 'inpatient', from_date: '2024-12-30', thru_date: '2025-01-03', paid_amount: '999.00' },
          // Not in the population (not enrolled in T): no row.
          { member_id: 'GONE', claim_type: 'professional', from_date: '2024-03-01', paid_amount: '10.00' },
        ],
      },
      T,
    ));
  });

  it('has member_id and its features in the order of its definitions, a row per member of the population', () => {
    expect(columns).toEqual(['member_id', ...UTILISATION_FEATURES.map((d) => d.name)]);
    expect(Object.keys(byId).sort()).toEqual(['NONE', 'U']);
  });

  it('sums the dollars of T-1 by thru date, and those on claims mapping to no CC', () => {
    // Paid: 100.00 + 50.25 + 200.00 + 5,000.00 + 1,000.00 = 6,350.25 -> ln(6,351.25).
    // No CC: 50.25 (Z0000) + 1,000.00 (no code) = 1,050.25 -> ln(1,051.25).
    expect(byId.U!.log_paid_t1).toBeCloseTo(Math.log(6351.25), 12);
    expect(byId.U!.log_paid_no_hcc_t1).toBeCloseTo(Math.log(1051.25), 12);
  });

  it('counts professional and outpatient claims and inpatient days of T-1', () => {
    // Professional: March and June 2024 -> 2. Outpatient: July -> 1.
    // Inpatient days: Feb 10-14 -> 5; Dec 30 2023 - Jan 2 2024 -> 4; total 9.
    expect(byId.U).toMatchObject({ visits_t1: 2, outpatient_t1: 1, inpatient_days_t1: 9 });
  });

  it('gives a member without claims zeros: ln(1 + 0) = 0', () => {
    expect(byId.NONE).toEqual({ member_id: 'NONE', log_paid_t1: 0, log_paid_no_hcc_t1: 0, visits_t1: 0, outpatient_t1: 0, inpatient_days_t1: 0 });
  });
});

describe('utilisation at a data cut-off', () => {
  // Claims of T-1 = 2024 the plan receives late. At the cut-off 2025-01-01: a (received that day)
  // and c (no received date: received on its thru date, 2024-12-31) are known; b (received
  // 2025-01-02) and d (received 2025-03-01) are not. At 2025-01-15, b is known too.
  const rows = {
    members: [{ member_id: 'L' }],
    enrollment: [{ member_id: 'L', year: 2025 }],
    claims: [
      { member_id: 'L', from_date: '2024-12-20', received_date: '2025-01-01', paid_amount: '10.00' }, // a
      { member_id: 'L', from_date: '2024-12-20', received_date: '2025-01-02', paid_amount: '20.00' }, // b
      { member_id: 'L', from_date: '2024-12-31', paid_amount: '40.00' }, // c
      { member_id: 'L', from_date: '2024-06-01', received_date: '2025-03-01', paid_amount: '80.00' }, // d
    ],
  };

  it('counts only the claims received by the cut-off, the cut-off day included', async () => {
    // 2025-01-01: a + c = $50, 2 visits; 2025-01-15: a + b + c = $70, 3 visits.
    const jan1 = (await familyRows(utilisation, rows, T, [], '2025-01-01')).byId.L!;
    expect(jan1.log_paid_t1).toBeCloseTo(Math.log(51), 12);
    expect(jan1.visits_t1).toBe(2);
    const jan15 = (await familyRows(utilisation, rows, T, [], '2025-01-15')).byId.L!;
    expect(jan15.log_paid_t1).toBeCloseTo(Math.log(71), 12);
    expect(jan15.visits_t1).toBe(3);
  });
});
