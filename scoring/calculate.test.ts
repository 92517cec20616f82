// Golden vectors: ../shared/cms-hcc/golden/hcc-golden-v24.jsonl and -v28.jsonl (100 members each,
// hccpy@b2e3c838 with the CMS corrections P1-P5, cross-checked by an independent scorer; see the
// golden README). This test reads ../shared because the vectors are the team's agreed oracle and
// are not product data; the product itself never reads ../shared.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadModelTables, loadPaymentFactors, type Segment, type Sex } from '../data/reference/cms-hcc-tables.ts';
import { calculate, calculateRaf } from './calculate.ts';
import { resolveDemographics } from './demographics.ts';
import { resolvePaymentParameters } from './payment-score.ts';
import { DEMO_BASE_RATE_ANNUAL } from './revenue.ts';

interface GoldenLine {
  id: string;
  model: 'V24' | 'V28';
  input: { age: number; sex: Sex; segment: Segment; orec: string; medicaid: boolean; dx: string[] };
  expected: Record<string, unknown>;
}

const GOLDEN_FIELDS = [
  'risk_score',
  'hccs',
  'interactions',
  'count_var',
  'demographic_vars',
  'factors',
  'dx_to_cc',
  'disabled',
  'origds',
  'model_segment',
] as const;

function readGolden(model: 'v24' | 'v28'): GoldenLine[] {
  const path = fileURLToPath(new URL(`../../shared/cms-hcc/golden/hcc-golden-${model}.jsonl`, import.meta.url));
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as GoldenLine);
}

// The golden inputs give AGEF directly; the payment year picks the mapping table, and the golden
// codes map the same way in every shared table, so any available year reproduces them.
const GOLDEN_YEAR = { V24: 2025, V28: 2026 } as const;

describe.each(['v24', 'v28'] as const)('golden vectors %s', (model) => {
  const lines = readGolden(model);
  it('has 100 members', () => expect(lines).toHaveLength(100));
  it.each(lines.map((l) => [l.id, l] as const))('%s reproduces every field', (_id, line) => {
    const tables = loadModelTables(line.model, GOLDEN_YEAR[line.model]);
    const d = resolveDemographics(line.input, tables.paymentYear);
    const r = calculateRaf(d, line.input.dx, tables);
    for (const f of GOLDEN_FIELDS) expect(r[f], f).toEqual(line.expected[f]);
  });
});

describe('DOMAIN.md section 1 worked example (CFA man of 72, V28, PY2025, blend forced to 100% V28)', () => {
  // The guide names no codes. Six payment HCCs summing to 1.907 under CFA, with diabetes + heart
  // failure and heart failure + arrhythmia and no other interaction, are for instance (C28 CFA
  // factors of ra_coefficients_2026.csv): HCC37 E11.22 0.186, HCC226 I50.22 0.406, HCC238 I48.91
  // 0.407, HCC48 E66.01 0.300, HCC155 F33.1 0.316, HCC254 G83.10 0.292.
  const dx = ['E11.22', 'I50.22', 'I48.91', 'E66.01', 'F33.1', 'G83.10'];
  const tables = { V28: loadModelTables('V28', 2025) };
  const payment = resolvePaymentParameters(2025, loadPaymentFactors(), { blend: { V28: 1 } });
  const score = calculate(
    { sex: 'M', age: 72, segment: 'CFA', orec: '0', medicaid: true, dx },
    { tables, payment, annualBaseRate: DEMO_BASE_RATE_ANNUAL },
  );
  const r = score.models.V28!;

  it('has the demographic factor CFA_M70_74 = 0.626', () => {
    expect(r.demographic_vars).toEqual(['CFA_M70_74']);
    expect(r.factors.CFA_M70_74).toBe(0.626);
  });
  it('has six payment HCCs summing to 1.907', () => {
    expect(r.hccs).toHaveLength(6);
    const sum = r.hccs.reduce((s, h) => s + Math.round((r.factors[`CFA_${h}`] ?? NaN) * 1000), 0) / 1000;
    expect(sum).toBe(1.907);
  });
  it('has the two interactions adding 0.323 and D6 adding 0.071', () => {
    expect(r.interactions).toEqual(['DIABETES_HF_V28', 'HF_HCC238_V28']);
    expect(r.factors.CFA_DIABETES_HF_V28! + r.factors.CFA_HF_HCC238_V28!).toBeCloseTo(0.323, 10);
    expect(r.count_var).toBe('D6');
    expect(r.factors.CFA_D6).toBe(0.071);
  });
  it('gives raw 2.927 -> 2.801 -> 2.636 -> $27,420.57', () => {
    expect(r.risk_score).toBe(2.927);
    expect(score.payment.normalized.V28).toBe(2.801);
    expect(score.payment.paymentScore).toBe(2.636);
    expect(score.revenue.annual).toBe(27420.57);
    expect(score.revenue.pmpm).toBe(2285.05);
  });
});
