// The suspect rules' loader (data/reference/suspects/README.md): the bundled tables load against
// the V28 tables of payment year 2026, and a row naming an HCC the model does not pay, or a
// malformed field, stops with the file, the row and the field.
import { describe, expect, it } from 'vitest';
import { loadModelTables } from './cms-hcc-tables.ts';
import { loadSuspectRules, parseComorbidityRules, parseLabRules, parseMedicationRules, unitKey } from './suspect-rules.ts';

const v28 = loadModelTables('V28', 2026);
const MED_HEADER = 'rule,atc_prefix,hcc,strength,rationale,source';
const LAB_HEADER = 'rule,loinc,units,comparator,threshold,min_results,min_days_apart,hcc,rationale,source';

describe('the bundled suspect rules', () => {
  const rules = loadSuspectRules(v28);

  it('name the V28 HCCs checked against the CMS label macro V28115L3 (insulin 38, factor Xa 238, LAMA/LABA 280, clozapine 151, lithium 154)', () => {
    const med = new Map(rules.medication.map((r) => [r.rule, r]));
    expect([med.get('insulin')?.hcc, med.get('factor_xa_inhibitor')?.hcc, med.get('laba_lama')?.hcc, med.get('clozapine')?.hcc, med.get('lithium')?.hcc]).toEqual([
      38, 238, 280, 151, 154,
    ]);
    // The anticoagulants treat DVT/PE too: weak evidence of atrial fibrillation.
    expect(rules.medication.filter((r) => r.hcc === 238).map((r) => r.strength)).toEqual(['weak', 'weak', 'weak']);
    expect(v28.labels.get(38)).toBe('Diabetes with Glycemic, Unspecified, or No Complications');
  });

  it('stage CKD by eGFR as KDIGO does: < 15 -> 326, < 30 -> 327, < 45 -> 328, each twice 90 days apart; BMI >= 40 once -> 48', () => {
    const lab = new Map(rules.lab.map((r) => [r.rule, r]));
    expect(['egfr_stage5', 'egfr_stage4', 'egfr_stage3b'].map((k) => [lab.get(k)?.threshold, lab.get(k)?.hcc, lab.get(k)?.minResults, lab.get(k)?.minDaysApart])).toEqual([
      [15, 326, 2, 90],
      [30, 327, 2, 90],
      [45, 328, 2, 90],
    ]);
    expect([lab.get('bmi_morbid_obesity')?.comparator, lab.get('bmi_morbid_obesity')?.threshold, lab.get('bmi_morbid_obesity')?.hcc]).toEqual(['>=', 40, 48]);
    expect(lab.get('egfr_stage3b')?.loinc).toEqual(['33914-3', '48642-3', '48643-1', '62238-1', '98979-8']);
  });

  it('read diabetes with CKD as HCC 37 (E11.22)', () => {
    const ckd = rules.comorbidity.find((r) => r.rule === 'diabetes_ckd');
    expect([ckd?.ifAnyHcc, ckd?.andAnyHcc, ckd?.hcc]).toEqual([[38], [326, 327, 328, 329], 37]);
  });
});

describe('a malformed suspect rule', () => {
  it('an HCC V28 does not pay (V24 HCC 85, heart failure, is not a V28 payment HCC) names the file, row and field', () => {
    const csv = `${MED_HEADER}\ninsulin,A10A,38,strong,r,s\nold,A10BB,85,strong,r,s\n`;
    expect(() => parseMedicationRules(csv, 'med.csv', v28)).toThrow('med.csv row 2, hcc: "85" is not a payment HCC of the V28 tables of payment year 2026');
  });

  it('an unknown HCC in a comorbidity list is named the same way', () => {
    const csv = 'rule,if_any_hcc,and_any_hcc,implies_hcc,rationale,source\nx,38,328|999,37,r,s\n';
    expect(() => parseComorbidityRules(csv, 'c.csv', v28)).toThrow('c.csv row 1, and_any_hcc: "999" is not a payment HCC');
  });

  it('a lower-case or too short ATC prefix, a bad LOINC, comparator or repeated rule name', () => {
    expect(() => parseMedicationRules(`${MED_HEADER}\ninsulin,a10a,38,strong,r,s\n`, 'm', v28)).toThrow('m row 1, atc_prefix');
    expect(() => parseMedicationRules(`${MED_HEADER}\ninsulin,A10,38,strong,r,s\n`, 'm', v28)).toThrow('m row 1, atc_prefix');
    expect(() => parseMedicationRules(`${MED_HEADER}\ninsulin,A10A,38,maybe,r,s\n`, 'm', v28)).toThrow('m row 1, strength');
    expect(() => parseMedicationRules(`${MED_HEADER}\na,A10A,38,strong,r,s\na,A10BB,38,strong,r,s\n`, 'm', v28)).toThrow('m row 2, rule');
    expect(() => parseLabRules(`${LAB_HEADER}\ne,33914,mL/min,<,45,2,90,328,r,s\n`, 'l', v28)).toThrow('l row 1, loinc');
    expect(() => parseLabRules(`${LAB_HEADER}\ne,33914-3,mL/min,=<,45,2,90,328,r,s\n`, 'l', v28)).toThrow('l row 1, comparator');
    expect(() => parseLabRules(`${LAB_HEADER}\ne,33914-3,mL/min,<,45,0,90,328,r,s\n`, 'l', v28)).toThrow('l row 1, min_results');
  });

  it('units compare without case or spaces', () => {
    expect(unitKey(' mL/min/1.73 m2 ')).toBe('ml/min/1.73m2');
  });
});
