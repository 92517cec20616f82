// The audit-risk rules as data (data/reference/audit-risk/): the bundled files load and say what
// the engine reads (HCCs 228 and 249 within 60 days; diagnostic radiology 30 not acceptable,
// internal medicine 11 acceptable); a malformed row stops with the file, the row and the field.
import { describe, expect, it } from 'vitest';
import { AUDIT_RULE_NAMES, loadAuditRules, parseAcceptableSpecialties, parseAuditRules } from './audit-rules.ts';
import { tablesFor } from './tables-for.ts';

const v28 = tablesFor('V28', 2026);
const HEADER = 'rule,hccs,window_days,description,source';
const row = (rule: string, hccs = '', w = ''): string => `${rule},${hccs},${w},d,s`;
const valid = AUDIT_RULE_NAMES.map((r) => (r === 'acute_outpatient_only' ? row(r, '228|249', '60') : row(r)));

describe('audit-risk rules', () => {
  it('loads the bundled rules: acute MI 228 and stroke 249 within 60 days, radiology not acceptable', () => {
    const r = loadAuditRules(v28);
    expect(r.rules.map((x) => x.rule)).toEqual([...AUDIT_RULE_NAMES]);
    expect(r.rules.find((x) => x.rule === 'acute_outpatient_only')).toMatchObject({ hccs: [228, 249], windowDays: 60 });
    expect([r.acceptableSpecialties.has('11'), r.acceptableSpecialties.has('30'), r.acceptableSpecialties.has('A0')]).toEqual([true, false, false]);
    expect(r.rules.every((x) => x.source.length > 0)).toBe(true);
  });

  it('names the file, row and field of an HCC that is not a V28 payment HCC', () => {
    const rows = valid.map((r) => (r.startsWith('acute') ? row('acute_outpatient_only', '228|9999', '60') : r));
    expect(() => parseAuditRules([HEADER, ...rows].join('\n'), 'rules.csv', v28)).toThrow(/rules\.csv row 4, hccs: 9999 is not a payment HCC/);
  });

  it('refuses a rule the engine does not implement, and a rule left out', () => {
    expect(() => parseAuditRules([HEADER, ...valid, row('one_visit')].join('\n'), 'rules.csv', v28)).toThrow(/row 6, rule: expected one of/);
    expect(() => parseAuditRules([HEADER, ...valid.slice(1)].join('\n'), 'rules.csv', v28)).toThrow(/rule single_claim is listed 0 times/);
  });

  it('refuses a window that is not a whole number of days, and a specialty code that is not two characters', () => {
    const rows = valid.map((r) => (r.startsWith('acute') ? row('acute_outpatient_only', '228', 'sixty') : r));
    expect(() => parseAuditRules([HEADER, ...rows].join('\n'), 'rules.csv', v28)).toThrow(/row 4, window_days: expected a whole number of days/);
    expect(() => parseAcceptableSpecialties('specialty,description\n011,internal medicine\n', 'sp.csv')).toThrow(/sp\.csv row 1, specialty/);
  });
});
