// What outreach on open HCCs is expected to bring (evaluation/candidate-value.ts), worked out by
// hand on DOMAIN.md section 1's worked example: a man of 72, full-benefit dual (CFA), V28, payment
// year 2025 with the blend forced to 100% V28 (normalisation 1.045, MA coding adjustment 5.9%),
// base rate $10,402.34. V28 CFA factors of ra_coefficients_2026.csv: CFA_M70_74 0.626; HCC37 0.186,
// HCC38 0.186, HCC48 0.300, HCC155 0.316, HCC226 0.406, HCC238 0.407, HCC254 0.292;
// DIABETES_HF_V28 0.183, HF_HCC238_V28 0.140; D1-D4 0, D5 0.049, D6 0.071. V28 hierarchies: 37
// outranks 38. Each dollar figure: raw / 1.045 rounded to 3 places, x 0.941 rounded to 3 places,
// x $10,402.34 rounded to the cent.
import { describe, expect, it } from 'vitest';
import { loadModelTables, loadPaymentFactors } from '../data/reference/cms-hcc-tables.ts';
import { calculateResolved } from '../scoring/calculate.ts';
import { resolveDemographics } from '../scoring/demographics.ts';
import { resolvePaymentParameters } from '../scoring/payment-score.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { expectedGain, hccCode, hccCodeTables, openHccValues } from './candidate-value.ts';
import type { OpenHcc } from './recapture-rates.ts';
import type { RecaptureKey, RecaptureRate } from './recapture-rates.ts';

const V28 = loadModelTables('V28', 2025);
const params = resolvePaymentParameters(2025, loadPaymentFactors(), { blend: { V28: 1 } });
const pricing = { tables: { V28 }, params, annualBaseRate: DEMO_BASE_RATE_ANNUAL };
const man72 = resolveDemographics({ sex: 'M', age: 72, orec: '0', dualStatus: 'full' }, 2025);

const open = (hcc: number, more: Partial<OpenHcc> = {}): OpenHcc => ({
  model: 'V28',
  hcc,
  description: `HCC ${hcc}`,
  lastDate: '2024-03-01',
  provider: '',
  dropped: false,
  inWindow: false,
  byMemberProvider: false,
  ...more,
});

describe('openHccValues', () => {
  it('prices an open HCC by scoring the member with and without it, so interactions and the count variable count', () => {
    // Every open HCC: 0.626 + 1.907 (six HCCs) + 0.323 (both interactions) + 0.071 (D6) = 2.927
    // -> 2.801 -> 2.636 -> $27,420.57 (DOMAIN.md's figures).
    const [v] = openHccValues([{ demographics: man72, open: [37, 48, 155, 226, 238, 254].map((h) => open(h)) }], pricing);
    expect(v!.paymentScore).toBe(2.636);
    // Without 238: 1.500 of HCCs, DIABETES_HF_V28 0.183 only, D5 0.049: raw 2.358 -> 2.256 -> 2.123
    // -> $22,084.17. Worth 27,420.57 - 22,084.17 = $5,336.40 (its factor alone: 0.407 -> 0.389 -> 0.366 -> $3,807.26).
    // Without 37: 1.721, HF_HCC238_V28 0.140 only, D5: raw 2.536 -> 2.427 -> 2.284 -> $23,758.94: $3,661.63.
    // Without 48 (no interaction): 1.607 + 0.323 + D5 0.049: raw 2.605 -> 2.493 -> 2.346 -> $24,403.89: $3,016.68.
    expect(v!.value).toEqual([3661.63, 3016.68, expect.any(Number), expect.any(Number), 5336.4, expect.any(Number)]);
    expect(v!.outrankedBy).toEqual([[], [], [], [], [], []]);
  });

  it('prices a lower level of an open HCC below it (what it adds once the higher level is gone), not as nothing', () => {
    // Diabetes coded at 37 in T-2 and at 38 in T-1, with heart failure (226).
    // With 37, 38, 226: 38 is removed by 37; 0.626 + 0.186 + 0.406 + 0.183 (DIABETES_HF) + D2 0 =
    // 1.401 -> 1.341 -> 1.262 -> $13,127.75. With 38 and 226: the same factors, $13,127.75.
    // With 226 alone: 1.032 -> 0.988 -> 0.930 -> $9,674.18. With 37 and 38 (37 only): 0.812 -> 0.777 -> 0.731 -> $7,604.11.
    // 37: 13,127.75 - 13,127.75 = $0 (in V28, 37 pays what 38 pays). 38 (below 37): with 38 and
    // 226 minus 226 alone = $3,453.57. 226: 13,127.75 - 7,604.11 = $5,523.64.
    // Priced each without the other (a plain leave-one-out), 37 and 38 would both be worth $0.
    const [v] = openHccValues([{ demographics: man72, open: [open(37, { dropped: true }), open(38), open(226)] }], pricing);
    expect(v!.value).toEqual([0, 3453.57, 5523.64]);
    expect(v!.outrankedBy).toEqual([[], [37], []]);
  });

  it('prices many members in one batch as it prices each alone', () => {
    const a = { demographics: man72, open: [open(37), open(226)] };
    const b = { demographics: resolveDemographics({ sex: 'F', age: 80, orec: '0', dualStatus: 'none' }, 2025), open: [open(238), open(48), open(226)] };
    expect(openHccValues([a, b], pricing)).toEqual([...openHccValues([a], pricing), ...openHccValues([b], pricing)]);
  });

  it("feeds the engine's explained path the same HCCs: the same interactions, count variable and dollars", () => {
    // calculate.ts on the HCC codes with hccCodeTables: DOMAIN.md's 2.927 and $27,420.57, the two
    // interactions and D6, as the batch path priced them above.
    const codes = [37, 48, 155, 226, 238, 254].map((h) => hccCode('V28', h));
    const s = calculateResolved(man72, codes, { tables: { V28: hccCodeTables(V28) }, payment: params, annualBaseRate: DEMO_BASE_RATE_ANNUAL });
    expect(s.models.V28!.risk_score).toBe(2.927);
    expect(s.models.V28!.interactions).toEqual(['DIABETES_HF_V28', 'HF_HCC238_V28']);
    expect(s.models.V28!.count_var).toBe('D6');
    expect(s.revenue.annual).toBe(27420.57);
    // Without 238: $22,084.17, as above.
    const without = calculateResolved(man72, codes.filter((c) => c !== 'V28HCC238'), { tables: { V28: hccCodeTables(V28) }, payment: params, annualBaseRate: DEMO_BASE_RATE_ANNUAL });
    expect(without.revenue.annual).toBe(22084.17);
  });
});

describe('expectedGain', () => {
  const rates: Record<number, Pick<RecaptureRate, 'rate' | 'late'>> = { 238: { rate: 0.75, late: 0.4 }, 37: { rate: 0.8, late: 0.5 } };
  const rateOf = (k: RecaptureKey): RecaptureRate => ({ ...rates[k.hcc]!, ratePool: 'hcc, class', atRisk: 100, recaptured: 80, latePool: 'class', recapturedOutsideWindow: 50 });

  it('weighs each value: incremental (1 - p) x value, accelerated p x late share x value x 6/12 outside the window', () => {
    // 238 (last coded in the first half of T-1): accelerated 0.75 x 0.4 x 5,336.40 x 0.5 = 800.46;
    //   incremental 0.25 x 5,336.40 = 1,334.10.
    // 37 (last coded in July-December of T-1, already in RAF_init_T's window): accelerated 0;
    //   incremental 0.2 x 3,661.63 = 732.326.
    // Member: accelerated $800.46, incremental 2,066.426 -> $2,066.43, dollars $2,866.89.
    const g = expectedGain([open(238), open(37, { inWindow: true })], { value: [5336.4, 3661.63], outrankedBy: [[], []], paymentScore: 2.636 }, rateOf);
    expect(g.hccs.map((h) => h.accelerated)).toEqual([expect.closeTo(800.46, 9), 0]);
    expect(g.hccs.map((h) => h.incremental)).toEqual([expect.closeTo(1334.1, 9), expect.closeTo(732.326, 9)]);
    expect([g.accelerated, g.incremental, g.dollars]).toEqual([800.46, 2066.43, 2866.89]);
  });

  it('is worth nothing without open HCCs', () => {
    expect(expectedGain([], { value: [], outrankedBy: [], paymentScore: 0 }, rateOf)).toEqual({ hccs: [], accelerated: 0, incremental: 0, dollars: 0 });
  });
});
