// One test per CMS rule, each on a tiny injected table. Sources: CMS %SET0 hierarchy macro
// semantics (V28115H1: a rule fires only if its parent is still 1), the V28 heart patch of the
// V28 main program, V24I0ED1/V28I0ED1 edits, AGESEXV2 (DISABL, ORIGDS, NE_ORIGDS), and the payment
// formula of DOMAIN.md section 1 step 7 (PROVENANCE.md S2: round(raw/norm, 3) x (1 - 0.059), 3 dp).
import { describe, expect, it } from 'vitest';
import type { AgeSexEdit, InteractionSpec, PaymentFactorRow } from '../data/reference/cms-hcc-tables.ts';
import { applyAgeSexEdits } from './apply-age-sex-edits.ts';
import { applyConditionalDrops } from './apply-conditional-drops.ts';
import { applyHierarchies } from './apply-hierarchies.ts';
import { paymentHccCountVariable } from './count-variable.ts';
import { ageOnFebruaryFirst, demographicVariables, resolveDemographics } from './demographics.ts';
import { computeInteractions } from './interactions.ts';
import { mapDiagnosesToCcs } from './map-diagnoses.ts';
import { normalizeDiagnosisCode } from './normalize-diagnosis-codes.ts';
import { paymentScore, resolvePaymentParameters } from './payment-score.ts';
import { rawScore } from './raw-score.ts';
import { roundHalfUp } from './rounding.ts';

describe('code normalisation', () => {
  it('trims, upper-cases and drops the dot', () => {
    expect(normalizeDiagnosisCode(' e11.9 ')).toBe('E119');
  });
  it('maps each code once, lists unmapped and invalid codes', () => {
    const table = new Map([['E119', [38]], ['K51312', [78, 81]]]);
    const r = mapDiagnosesToCcs(['E11.9', 'e119', 'K51.312', 'Z00.00', 'XYZ.1', '12'], table);
    expect([...r.mapped]).toEqual([['E119', [38]], ['K51312', [78, 81]]]);
    expect(r.unmapped).toEqual(['Z0000']);
    expect(r.invalid).toEqual(['XYZ.1', '12']);
  });
});

describe('hierarchies (%SET0)', () => {
  const rules = [
    { parent: 62, children: [63, 64, 65, 68] },
    { parent: 63, children: [64, 65, 68, 202] },
    { parent: 397, children: [202, 398, 399] },
  ];
  it('a present parent removes its children', () => {
    const r = applyHierarchies(new Set([63, 64, 202]), rules);
    expect([...r.hccs]).toEqual([63]);
    expect(r.removed).toEqual([{ hcc: 64, by: 63 }, { hcc: 202, by: 63 }]);
  });
  it('an absent parent removes nothing', () => {
    expect([...applyHierarchies(new Set([64, 202]), rules).hccs].sort()).toEqual([202, 64]);
  });
  it('a parent removed by an earlier rule no longer fires (62 + 63 + 202 keeps 202)', () => {
    const r = applyHierarchies(new Set([62, 63, 202]), rules);
    expect([...r.hccs].sort((a, b) => a - b)).toEqual([62, 202]);
  });
});

describe('V28 heart patch', () => {
  const drops = [{ cc: 223, unlessAny: [221, 222, 224, 225, 226], rule: 'heart patch' }];
  it('drops HCC223 when no other heart failure CC is present', () => {
    expect([...applyConditionalDrops(new Set([223, 238]), drops).ccs]).toEqual([238]);
  });
  it('keeps HCC223 when HCC226 is present (and the hierarchy then removes 226)', () => {
    const kept = applyConditionalDrops(new Set([223, 226]), drops).ccs;
    expect([...applyHierarchies(kept, [{ parent: 223, children: [224, 225, 226, 227] }]).hccs]).toEqual([223]);
  });
});

describe('age/sex edits', () => {
  const edits: AgeSexEdit[] = [
    { codes: new Set(['D66']), when: [{ sex: 'F' }], action: { kind: 'cc', cc: 112 }, condition: 'sex=female', source: 't' },
    { codes: new Set(['J449']), when: [{ maxAge: 17 }], action: { kind: 'invalid' }, condition: 'age<18', source: 't' },
    { codes: new Set(['F3481']), when: [{ maxAge: 5 }, { minAge: 19 }], action: { kind: 'invalid' }, condition: 'age<6 or age>18', source: 't' },
    { codes: new Set(['C50911']), when: [{ maxAge: 49 }], action: { kind: 'cc', cc: 22 }, condition: 'age<50', source: 't' },
  ];
  const mapped = new Map<string, number[]>([['D66', [111]], ['J449', [280]], ['F3481', [155]], ['C50911', [23]]]);
  it('D66/D67 in a woman map to CC112, in a man stay', () => {
    expect(applyAgeSexEdits(mapped, 70, 'F', edits).dxToCc.get('D66')).toEqual([112]);
    expect(applyAgeSexEdits(mapped, 70, 'M', edits).dxToCc.get('D66')).toEqual([111]);
  });
  it('COPD codes under 18 are invalid, at 18 valid', () => {
    expect(applyAgeSexEdits(mapped, 17, 'M', edits).dxToCc.get('J449')).toEqual([]);
    expect(applyAgeSexEdits(mapped, 18, 'M', edits).dxToCc.get('J449')).toEqual([280]);
  });
  it('F34.81 is valid only from 6 to 18', () => {
    expect(applyAgeSexEdits(mapped, 5, 'M', edits).dxToCc.get('F3481')).toEqual([]);
    expect(applyAgeSexEdits(mapped, 6, 'M', edits).dxToCc.get('F3481')).toEqual([155]);
    expect(applyAgeSexEdits(mapped, 18, 'M', edits).dxToCc.get('F3481')).toEqual([155]);
    expect(applyAgeSexEdits(mapped, 19, 'M', edits).dxToCc.get('F3481')).toEqual([]);
  });
  it('breast cancer under 50 maps to CC22', () => {
    const r = applyAgeSexEdits(mapped, 49, 'F', edits);
    expect(r.dxToCc.get('C50911')).toEqual([22]);
    expect(r.applied.map((a) => a.code)).toEqual(['D66', 'F3481', 'C50911']);
    expect(applyAgeSexEdits(mapped, 50, 'F', edits).dxToCc.get('C50911')).toEqual([23]);
  });
});

describe('demographics (AGESEXV2)', () => {
  it('age is taken on February 1 of the payment year', () => {
    expect(ageOnFebruaryFirst('1960-02-01', 2025)).toBe(65);
    expect(ageOnFebruaryFirst('1960-02-02', 2025)).toBe(64);
    expect(ageOnFebruaryFirst('1960-01-31', 2025)).toBe(65);
  });
  it('OREC 1 under 65 is disabled; OREC 1 at 65+ is originally disabled; OREC 3 at 65+ is not', () => {
    const base = { sex: 'F' as const, segment: 'CNA' as const, medicaid: false };
    expect(resolveDemographics({ ...base, age: 60, orec: '1' }, 2025)).toMatchObject({ disabled: 1, origds: 0 });
    expect(resolveDemographics({ ...base, age: 70, orec: '1' }, 2025)).toMatchObject({ disabled: 0, origds: 1 });
    expect(resolveDemographics({ ...base, age: 70, orec: '3' }, 2025)).toMatchObject({ disabled: 0, origds: 0 });
    const d = resolveDemographics({ ...base, age: 70, orec: '1' }, 2025);
    expect(demographicVariables(d).variables).toEqual(['CNA_F70_74', 'CNA_OriginallyDisabled_Female']);
  });
  it('segments derive from dual status, institutional and new-enrollee flags', () => {
    const r = (x: object) => resolveDemographics({ sex: 'M', age: 70, orec: '0', ...x }, 2026).segment;
    expect(r({ dualStatus: 'none' })).toBe('CNA');
    expect(r({ dualStatus: 'partial' })).toBe('CPA');
    expect(r({ dualStatus: 'full', age: 50, orec: '1' })).toBe('CFD');
    expect(r({ institutional: true, medicaid: false })).toBe('INS');
    expect(r({ newEnrollee: true, medicaid: false })).toBe('NE');
    expect(r({ newEnrollee: true, snp: true, medicaid: true })).toBe('SNPNE');
  });
  it('NE cells: Medicaid, NE_ORIGDS only at 65+, single-year bands 65-69', () => {
    const ne = (age: number, orec: string, medicaid: boolean) =>
      demographicVariables(resolveDemographics({ sex: 'F', age, orec, medicaid, segment: 'NE' }, 2026)).variables[0];
    expect(ne(67, '1', true)).toBe('NE_MCAID_ORIGDIS_NEF67');
    expect(ne(60, '1', false)).toBe('NE_NMCAID_NORIGDIS_NEF60_64');
    expect(ne(72, '0', false)).toBe('NE_NMCAID_NORIGDIS_NEF70_74');
    const snp = resolveDemographics({ sex: 'M', age: 95, orec: '0', medicaid: true, segment: 'SNPNE' }, 2026);
    expect(demographicVariables(snp)).toEqual({
      variables: ['SNPNE_MCAID_NORIGDIS_NEM95_GT'],
      modelSegment: 'SNPNE_MCAID_NORIGDIS_NE',
    });
  });
  it('INS adds LTIMCAID with Medicaid and ORIGDS when originally disabled', () => {
    const d = resolveDemographics({ sex: 'M', age: 80, orec: '1', medicaid: true, segment: 'INS' }, 2026);
    expect(demographicVariables(d).variables).toEqual(['INS_LTIMCAID', 'INS_M80_84', 'INS_ORIGDS']);
  });
  it('impossible values are rejected naming the field', () => {
    expect(() => resolveDemographics({ sex: 'M', age: 240, orec: '0', segment: 'CNA' }, 2026)).toThrow(/field age/);
    expect(() => resolveDemographics({ sex: 'M', age: 70, orec: '7', segment: 'CNA' }, 2026)).toThrow(/field orec/);
    expect(() => resolveDemographics({ sex: 'M', birthDate: '2026-03-01', orec: '0', segment: 'CNA' }, 2026)).toThrow(
      /field birth_date/,
    );
    expect(() => resolveDemographics({ sex: 'M', age: 70, orec: '0', medicaid: true }, 2026)).toThrow(/dual_status/);
  });
});

describe('interactions and count variables', () => {
  const spec: InteractionSpec = {
    categories: { DIABETES_V28: [36, 37], HF_V28: [224, 226] },
    interactions: { DIABETES_HF_V28: ['DIABETES_V28', 'HF_V28'], HF_HCC238_V28: ['HF_V28', 'HCC238'], DISABLED_HF_V28: ['DISABL', 'HF_V28'] },
    segmentInteractions: { CNA: ['DIABETES_HF_V28', 'HF_HCC238_V28'], INS: ['DISABLED_HF_V28'] },
    countVariableSegments: ['CNA'],
    conditionalDrops: [],
  };
  it('an interaction fires when every operand holds, only where the segment carries it', () => {
    expect(computeInteractions(new Set([37, 226, 238]), 0, 'CNA', spec)).toEqual(['DIABETES_HF_V28', 'HF_HCC238_V28']);
    expect(computeInteractions(new Set([37]), 0, 'CNA', spec)).toEqual([]);
    expect(computeInteractions(new Set([226]), 1, 'INS', spec)).toEqual(['DISABLED_HF_V28']);
    expect(computeInteractions(new Set([226]), 0, 'INS', spec)).toEqual([]);
    expect(computeInteractions(new Set([37, 226]), 0, 'NE', spec)).toEqual([]);
  });
  it('count variables D1..D9 and D10P, none in segments without them', () => {
    expect(paymentHccCountVariable(0, 'CNA', spec)).toBeNull();
    expect(paymentHccCountVariable(6, 'CNA', spec)).toBe('D6');
    expect(paymentHccCountVariable(12, 'CNA', spec)).toBe('D10P');
    expect(paymentHccCountVariable(6, 'INS', spec)).toBeNull();
  });
  it('the raw score sums factors exactly, 0 for a variable the segment lacks', () => {
    const r = rawScore(['CNA_A', 'CNA_B', 'CNA_C'], new Map([['CNA_A', 0.1], ['CNA_B', 0.2]]));
    expect(r.riskScore).toBe(0.3);
    expect(r.factors).toEqual({ CNA_A: 0.1, CNA_B: 0.2, CNA_C: 0 });
  });
});

describe('payment score: normalisation, blend, coding adjustment', () => {
  const rows: PaymentFactorRow[] = [
    { paymentYear: 2025, model: 'V24', normalization: 1.153, codingAdjustment: 0.059, blendWeight: 0.33, sources: '' },
    { paymentYear: 2025, model: 'V28', normalization: 1.045, codingAdjustment: 0.059, blendWeight: 0.67, sources: '' },
  ];
  it('rounds each model to 3 places before blending, then the adjusted blend to 3 places', () => {
    const p = resolvePaymentParameters(2025, rows);
    // 1.5/1.153 = 1.30095 -> 1.301; 2.0/1.045 = 1.91388 -> 1.914;
    // 0.33 x 1.301 + 0.67 x 1.914 = 1.71171; x 0.941 = 1.61072 -> 1.611.
    const s = paymentScore({ V24: 1.5, V28: 2.0 }, p);
    expect(s.normalized).toEqual({ V24: 1.301, V28: 1.914 });
    expect(s.paymentScore).toBe(1.611);
  });
  it('overrides replace the table figures', () => {
    const p = resolvePaymentParameters(2025, rows, { blend: { V28: 1 }, normalization: { V28: 1.1 }, codingAdjustment: 0 });
    expect(paymentScore({ V28: 2.2 }, p).paymentScore).toBe(2);
  });
  it('rejects a blend that does not sum to 1 and a missing normalisation', () => {
    expect(() => resolvePaymentParameters(2025, rows, { blend: { V24: 0.5, V28: 0.4 } })).toThrow(/sum to 1/);
    expect(() => resolvePaymentParameters(2026, rows, { blend: { V28: 1 } })).toThrow(/normalisation/);
  });
  it('rounds half away from zero despite binary representation', () => {
    expect(roundHalfUp(1.0005, 3)).toBe(1.001);
    expect(roundHalfUp(2.80096, 3)).toBe(2.801);
    expect(roundHalfUp(-1.0005, 3)).toBe(-1.001);
  });
});
