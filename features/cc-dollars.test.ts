// The dollars-per-CC family (cc-dollars.ts, over claim-ccs.ts) on hand-built members at as-of
// T = 2025: each claim of T-1 = 2024 has its paid dollars split evenly over the distinct CCs its
// diagnoses map to, in whole micro-dollars, and summed per CC (DOMAIN.md section 3). The dx->CC
// table is the test's own: E1122 -> 37, I5030 -> 226, E1151 -> 37 and 264, X3 -> 37, 226 and 264.
import { beforeAll, describe, expect, it } from 'vitest';
import { ccDollars, ccDollarDefinitions } from './cc-dollars.ts';
import { familyRows } from './test-fixture.ts';

const T = 2025;
const CCS = [37, 226, 264];

describe('ccDollars', () => {
  let byId: Record<string, Record<string, unknown>>;
  let columns: string[];

  beforeAll(async () => {
    ({ byId, columns } = await familyRows(
      ccDollars,
      {
        members: [{ member_id: 'S' }, { member_id: 'THIRDS' }, { member_id: 'NONE' }],
        enrollment: [{ member_id: 'S', year: 2025 }, { member_id: 'THIRDS', year: 2025 }, { member_id: 'NONE', year: 2025 }],
        dxCc: [['E1122', 37], ['I5030', 226], ['E1151', 37], ['E1151', 264], ['X3', 37], ['X3', 226], ['X3', 264]],
        claims: [
          { member_id: 'S', from_date: '2024-01-10', paid_amount: '100.00', diagnosis_codes: ['E1122'] }, // 37: 100
          { member_id: 'S', from_date: '2024-02-10', paid_amount: '200.00', diagnosis_codes: ['E1122', 'I5030'] }, // 37: 100, 226: 100
          { member_id: 'S', from_date: '2024-03-10', paid_amount: '30.01', diagnosis_codes: ['E1151'] }, // 37: 15.005, 264: 15.005
          { member_id: 'S', from_date: '2024-04-10', paid_amount: '10.00', diagnosis_codes: ['E1122', 'E1122'] }, // one CC: 37: 10
          { member_id: 'S', from_date: '2024-05-10', paid_amount: '40.00', diagnosis_codes: ['Z0000'] }, // no CC: none
          { member_id: 'S', from_date: '2023-12-31', paid_amount: '999.00', diagnosis_codes: ['I5030'] }, // 2023: not T-1
          { member_id: 'S', from_date: '2025-01-01', paid_amount: '999.00', diagnosis_codes: ['I5030'] }, // 2025: T
          { member_id: 'THIRDS', from_date: '2024-06-10', paid_amount: '0.05', diagnosis_codes: ['X3'] }, // 50,000 micro-dollars / 3
        ],
      },
      T,
      CCS,
    ));
  });

  it("has member_id and one feature per CC, in the CCs' order, a row per member of the population", () => {
    expect(columns).toEqual(['member_id', 'log_paid_cc37', 'log_paid_cc226', 'log_paid_cc264']);
    expect(ccDollarDefinitions(CCS).map((d) => d.name)).toEqual(columns.slice(1));
    expect(Object.keys(byId).sort()).toEqual(['NONE', 'S', 'THIRDS']);
  });

  it("splits a claim's dollars evenly over its distinct CCs and sums them per CC", () => {
    // 37:  100 + 200/2 + 30.01/2 + 10 = 100 + 100 + 15.005 + 10 = 225.005 -> ln(226.005).
    // 226: 200/2 = 100 -> ln(101). 264: 30.01/2 = 15.005 -> ln(16.005).
    // (A code twice on a claim is one CC: the $10 claim is all 37's. Z0000 maps to nothing.)
    expect(byId.S!.log_paid_cc37).toBeCloseTo(Math.log(226.005), 12);
    expect(byId.S!.log_paid_cc226).toBeCloseTo(Math.log(101), 12);
    expect(byId.S!.log_paid_cc264).toBeCloseTo(Math.log(16.005), 12);
  });

  it('splits in whole micro-dollars, the remainder dropped (not rounded)', () => {
    // $0.05 = 50,000 micro-dollars over 3 CCs: 50,000 // 3 = 16,666 each (16,666.67 rounded would
    // be 16,667) -> ln(1 + 0.016666) = ln(1.016666).
    for (const cc of CCS) expect(byId.THIRDS![`log_paid_cc${cc}`], `CC ${cc}`).toBeCloseTo(Math.log(1.016666), 12);
  });

  it('gives a member without claims zeros', () => {
    expect(byId.NONE).toEqual({ member_id: 'NONE', log_paid_cc37: 0, log_paid_cc226: 0, log_paid_cc264: 0 });
  });
});
