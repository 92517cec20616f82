// Risk-adjustment eligibility (DOMAIN.md section 1, step 1), one test per rule. The code lists
// are CMS's, as the reference files hold them: the sizes below are their row counts, and the
// office visit (99213), wellness visit (G0439) and lab panel (80053) cases are read from them.
import { describe, expect, it } from 'vitest';
import {
  availableEligibilityYears,
  isRiskAdjustmentEligible,
  loadEligibleBillTypes,
  loadEligibleProcedures,
} from './eligibility.ts';

describe('eligible CPT/HCPCS lists', () => {
  it('are kept for service years 2023-2026 with every code of the CMS files', () => {
    expect(availableEligibilityYears()).toEqual([2023, 2024, 2025, 2026]);
    expect([2023, 2024, 2025, 2026].map((y) => loadEligibleProcedures(y).size)).toEqual([6645, 6696, 6724, 6747]);
  });

  it('hold office and wellness visits, not lab panels', () => {
    const codes = loadEligibleProcedures(2025);
    expect([codes.has('99213'), codes.has('G0439'), codes.has('80053')]).toEqual([true, true, false]);
  });

  it('another year is an error naming the years there are', () => {
    expect(() => loadEligibleProcedures(2021)).toThrow(/service year 2021; available: 2023, 2024, 2025, 2026/);
  });
});

describe('which claims count', () => {
  const codes = loadEligibleProcedures(2025);
  const eligible = (claimType: 'professional' | 'inpatient' | 'outpatient', billType: string | null, procedures: string[]) =>
    isRiskAdjustmentEligible({ claimType, billType, procedures }, codes);

  it('inpatient bill types 11x and 41x count without a procedure code; a leading 0 is dropped', () => {
    expect([eligible('inpatient', '111', []), eligible('inpatient', '0411', []), eligible('inpatient', '0111', [])]).toEqual([true, true, true]);
  });

  it('an inpatient claim with an outpatient bill type, or another type, does not count', () => {
    expect([eligible('inpatient', '131', []), eligible('inpatient', '211', []), eligible('inpatient', null, [])]).toEqual([false, false, false]);
  });

  it('outpatient bill types count only with an eligible procedure code', () => {
    expect([eligible('outpatient', '131', ['99213']), eligible('outpatient', '131', ['80053']), eligible('outpatient', '851', ['80053', '99214'])]).toEqual([
      true,
      false,
      true,
    ]);
  });

  it('87x is not listed (sources disagree, DOMAIN.md keeps it out)', () => {
    expect(eligible('outpatient', '871', ['99213'])).toBe(false);
    expect(loadEligibleBillTypes().map((r) => r.prefix)).toEqual(['11', '41', '12', '13', '43', '71', '73', '76', '77', '85']);
  });

  it('a professional claim counts with an eligible procedure code, in any case or spacing', () => {
    expect([eligible('professional', null, [' g0439 ']), eligible('professional', null, ['80053']), eligible('professional', null, [])]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
