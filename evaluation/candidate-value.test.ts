// The open HCCs' value (evaluation/candidate-value.ts), worked out by hand: hierarchies first, then
// the engine's payment score (DOMAIN.md section 1, steps 5-7, CMS rounding to 3 places) and revenue.
import { describe, expect, it } from 'vitest';
import type { HierarchyRule, ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import type { PaymentParameters } from '../scoring/payment-score.ts';
import { openHccValue, type OpenHcc } from './candidate-value.ts';

const hcc = (model: ModelVersion, n: number, factor: number): OpenHcc => ({
  model,
  hcc: n,
  description: `HCC ${n}`,
  factor,
  lastDate: '2023-05-01',
  provider: '',
  dropped: false,
});
// A three-row hierarchy table: V28 HCC 37 outranks HCC 38; V24 has none.
const hierarchies = new Map<ModelVersion, HierarchyRule[]>([
  ['V28', [{ parent: 37, children: [38] }]],
  ['V24', []],
]);

describe('openHccValue', () => {
  it('drops what a hierarchy removes and prices the rest as a blended payment score', () => {
    const params: PaymentParameters = { paymentYear: 2025, blend: { V24: 0.33, V28: 0.67 }, normalization: { V24: 1.1, V28: 1.2 }, codingAdjustment: 0.059 };
    const v = openHccValue([hcc('V28', 37, 0.166), hcc('V28', 38, 0.2), hcc('V24', 18, 0.302)], params, hierarchies, 'V28', 10_000);
    // V28: HCC 38 is removed by 37, raw 0.166 / 1.2 = 0.13833 -> 0.138.
    // V24: 0.302 / 1.1 = 0.274545 -> 0.275.
    // Blend 0.33 x 0.275 + 0.67 x 0.138 = 0.09075 + 0.09246 = 0.18321; x (1 - 0.059) = 0.172400... -> 0.172.
    // 0.172 x $10,000 = $1,720.00.
    expect(v.dollars).toBe(1720);
    expect(v.kept.map((h) => h.hcc)).toEqual([37]);
  });

  it('rounds as CMS does (half away from zero), not as binary floating point happens to', () => {
    const params: PaymentParameters = { paymentYear: 2026, blend: { V28: 1 }, normalization: { V28: 1 }, codingAdjustment: 0 };
    // 0.5005 / 1 = 0.5005, which CMS rounds to 0.501; 0.5005 x 1000 is 500.49999999999994 in binary,
    // so Math.round(x * 1000) / 1000 gives 0.500 ($6,000.00). 0.501 x $12,000 = $6,012.00.
    const v = openHccValue([hcc('V28', 37, 0.5005)], params, hierarchies, 'V28', 12_000);
    expect(v.dollars).toBe(6012);
  });

  it('is worth nothing without open HCCs', () => {
    const params: PaymentParameters = { paymentYear: 2026, blend: { V28: 1 }, normalization: { V28: 1.045 }, codingAdjustment: 0.059 };
    expect(openHccValue([], params, hierarchies, 'V28', 12_000)).toEqual({ dollars: 0, kept: [] });
  });
});
