// Risk-adjustment eligibility (DOMAIN.md section 1, step 1), one test per rule. The code lists
// are CMS's, as the reference files hold them: the sizes below are their row counts, and the
// office visit (99213), wellness visit (G0439) and lab panel (80053) cases are read from them.
import { describe, expect, it } from 'vitest';
import {
  availableEligibilityYears,
  excludedBy,
  exclusionsInForce,
  firstServiceYear,
  isRiskAdjustmentEligible,
  loadDiagnosisSourceExclusions,
  loadEligibleBillTypes,
  loadEligibleProcedures,
  parseDiagnosisSourceExclusions,
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

describe('exclusions by record source (ra_diagnosis_source_exclusions.csv, PROVENANCE.md S8)', () => {
  const rules = loadDiagnosisSourceExclusions();
  const rule = (claim: { modifiers?: string[]; source?: string }, serviceYear: number) =>
    excludedBy({ procedure_modifiers: claim.modifiers ?? [], record_source: claim.source ?? 'encounter' }, serviceYear, rules);

  it('holds the two PY2027 rules, in force from 2026 dates of service', () => {
    expect(rules.map((r) => [r.rule, r.paymentYearFrom, r.field, r.values])).toEqual([
      ['audio_only', 2027, 'procedure_modifiers', ['93', 'FQ']],
      ['chart_review_unlinked', 2027, 'record_source', ['chart_review_unlinked']],
    ]);
    expect(rules.map(firstServiceYear)).toEqual([2026, 2026]);
    expect(exclusionsInForce(rules, 2025)).toEqual([]);
    expect(exclusionsInForce(rules, 2026).map((r) => r.rule)).toEqual(['audio_only', 'chart_review_unlinked']);
  });

  it('audio_only: a 93 or FQ line takes a 2026 claim out, not a 2025 one; 95 (audio-video) stays', () => {
    expect([rule({ modifiers: ['93'] }, 2026), rule({ modifiers: ['25', 'FQ'] }, 2026), rule({ modifiers: ['95'] }, 2026)]).toEqual([
      'audio_only',
      'audio_only',
      null,
    ]);
    expect([rule({ modifiers: ['93'] }, 2025), rule({ modifiers: ['FQ'] }, 2025)]).toEqual([null, null]);
  });

  it('chart_review_unlinked: an unlinked chart review dated 2026 is out, 2025 stays; a linked one stays', () => {
    expect([rule({ source: 'chart_review_unlinked' }, 2026), rule({ source: 'chart_review_unlinked' }, 2025)]).toEqual(['chart_review_unlinked', null]);
    expect([rule({ source: 'chart_review_linked' }, 2026), rule({ source: 'encounter' }, 2026)]).toEqual([null, null]);
  });

  it('refuses a rule naming a field the claims contract lacks, or a value its field cannot hold', () => {
    const head = 'payment_year_from,rule,field,values,description,source\n';
    expect(() => parseDiagnosisSourceExclusions(`${head}2027,x,modality,audio,,\n`, 'f.csv')).toThrow(/f.csv row 1: expected a claims enum or code-list field, found "modality"/);
    expect(() => parseDiagnosisSourceExclusions(`${head}2027,x,record_source,unlinked,,\n`, 'f.csv')).toThrow(/expected values of record_source/);
    expect(() => parseDiagnosisSourceExclusions(`${head}2027,x,paid_amount,0,,\n`, 'f.csv')).toThrow(/found "paid_amount"/);
    // Modifier values are stored upper-case, as the loader stores a claim's.
    expect(parseDiagnosisSourceExclusions(`${head}2027,x,procedure_modifiers,fq,,\n`, 'f.csv')[0]!.values).toEqual(['FQ']);
  });
});
