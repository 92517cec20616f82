// Scoring one service year (year-scorer.ts) on three hand-built member-years with the bundled PY2025
// tables: both models, both windows, the blended payment score, monthly payments, the August lump
// sum and the HCC rows, every figure worked out beside it from DOMAIN.md sections 1-2 and the CMS
// relative factors (ra_coefficients_2026.csv: V24 = C24, V28 = C28).
import { describe, expect, it } from 'vitest';
import { resolveDemographics } from '../demographics.ts';
import { loadPlanTables, planYears, type YearPlan } from './plan-years.ts';
import type { YearRow } from './year-rows.ts';
import { YearScorer } from './year-scorer.ts';

const BASE_RATE = 10402.34;
// Service year 2024 pays in 2025: blend V24 33% / V28 67%, normalisation 1.153 / 1.045, coding
// adjustment 5.9% (normalization_ma_adjustment_blend.csv; DOMAIN.md section 1 step 7). The plan
// comes from planYears, whose own test (plan-years.test.ts) holds each of these figures.
const [PLAN] = planYears({ firstYear: 2024, lastYear: 2024 }) as [YearPlan];

// A woman born 1950-03-10, not dual, community: 74 on February 1 2025, CNA, female 70-74.
const demographics = resolveDemographics(
  { sex: 'F', birthDate: '1950-03-10', orec: '0', dualStatus: 'none', institutional: false, newEnrollee: false },
  PLAN.paymentYear,
);
// Days since 1970-01-01: 2024-03-01 = 19,783; 2024-09-15 = 19,981; 2024-10-20 = 20,016.
const ROWS: YearRow[] = [
  // E11.22 (diabetes with CKD: V24 HCC 18, V28 HCC 37) only from September: not in July 2023-June 2024.
  { mk: 5, demographics, segmentIndex: 0, dxMid: 'E1122', firstMid: '19981', lastMid: '20016', npiMid: '2222222222', dxInit: '', nDx: 3, nDxInit: 0 },
  // E11.21 (diabetic nephropathy: the same HCCs) in March and E11.22 in September-October.
  {
    mk: 7,
    demographics,
    segmentIndex: 0,
    dxMid: 'E1121|E1122',
    firstMid: '19783|19981',
    lastMid: '19783|20016',
    npiMid: '1111111111|2222222222',
    dxInit: 'E1121',
    nDx: 2,
    nDxInit: 1,
  },
  // E11.21 and E11.22 last coded on the same day by two providers, the larger NPI second.
  {
    mk: 9,
    demographics,
    segmentIndex: 0,
    dxMid: 'E1121|E1122',
    firstMid: '19981|19981',
    lastMid: '20016|20016',
    npiMid: '2222222222|3333333333',
    dxInit: '',
    nDx: 2,
    nDxInit: 0,
  },
];

describe('YearScorer (service year 2024, payment year 2025)', () => {
  const scorer = new YearScorer(PLAN, loadPlanTables([PLAN]), BASE_RATE);
  const { history, hcc } = scorer.score(ROWS);
  const lines = (bytes: Uint8Array): string[] => new TextDecoder().decode(bytes).trim().split('\n');

  it('scores RAF_y and RAF_init_y under both models, blends them for PY2025 and pays the difference in August', () => {
    // Raw, calendar year: V24 CNA_F70_74 0.386 + CNA_HCC18 0.302 = 0.688; V28 CNA_F70_74 0.395 + CNA_HCC37 0.166 = 0.561.
    // Raw, July-June, mk 5 (no code): 0.386 and 0.395. One payment HCC per model (D1: 0).
    // RAF_2024: round(0.688 / 1.153, 3) = 0.597; round(0.561 / 1.045, 3) = 0.537;
    //   0.33 x 0.597 + 0.67 x 0.537 = 0.5568; round(0.5568 x 0.941, 3) = 0.524.
    // RAF_init_2024 (mk 5): round(0.386 / 1.153, 3) = 0.335; round(0.395 / 1.045, 3) = 0.378;
    //   0.33 x 0.335 + 0.67 x 0.378 = 0.36381; round(0.36381 x 0.941, 3) = 0.342.
    // Monthly: 0.524 x 10,402.34 / 12 = 454.2355 -> 454.24; 0.342 x 10,402.34 / 12 = 296.4667 -> 296.47.
    // August lump sum of PY2025: 6 x (454.24 - 296.47) = 946.62.
    // mk 7 has E11.21 in both windows: RAF_init = RAF = 0.524, no lump sum. mk 9 scores as mk 5.
    // Columns: mk, year, segment, age, n_dx, n_dx_init, raw_v24, raw_v28, raw_init_v24, raw_init_v28,
    // n_hcc_v24, n_hcc_v28, raf, raf_init, monthly_payment, monthly_payment_init, august_lump_sum.
    expect(lines(history)).toEqual([
      '5,2024,CNA,74,3,0,0.688,0.561,0.386,0.395,1,1,0.524,0.342,454.24,296.47,946.62',
      '7,2024,CNA,74,2,1,0.688,0.561,0.688,0.561,1,1,0.524,0.524,454.24,454.24,0',
      '9,2024,CNA,74,2,0,0.688,0.561,0.386,0.395,1,1,0.524,0.342,454.24,296.47,946.62',
    ]);
  });

  it("gives each HCC its codes' first and last date, the provider of the last, and whether the July-June window has it", () => {
    // mk 5: E11.22 alone: 19,981 to 20,016, 2222222222; not in the (empty) initial window.
    // mk 7: E11.21 (19,783) and E11.22 (19,981-20,016) both give the HCC: first 19,783, last 20,016,
    // the provider of E11.22's last date; E11.21 is in the initial window, so the HCC is too.
    // mk 9: both codes last on 20,016: on the tie, the larger NPI, 3333333333, whichever code comes first.
    // Columns: mk, year, model, hcc, factor (CNA_HCC18 0.302, CNA_HCC37 0.166), first_day, last_day, npi, in_initial.
    expect(lines(hcc)).toEqual([
      '5,2024,V24,18,0.302,19981,20016,2222222222,false',
      '5,2024,V28,37,0.166,19981,20016,2222222222,false',
      '7,2024,V24,18,0.302,19783,20016,2222222222,true',
      '7,2024,V28,37,0.166,19783,20016,2222222222,true',
      '9,2024,V24,18,0.302,19981,20016,3333333333,false',
      '9,2024,V28,37,0.166,19981,20016,3333333333,false',
    ]);
  });
});
