// Why a member is on the list, in plain words (evaluation/reasons.ts), on hand-built members.
import { describe, expect, it } from 'vitest';
import type { PricedHcc } from './candidate-value.ts';
import type { RecaptureRate } from './recapture-rates.ts';
import { reasonsFor, reasonsText } from './reasons.ts';

const RATE: RecaptureRate = { rate: 0.8, ratePool: 'class', atRisk: 100, recaptured: 80, late: 0.25, latePool: 'class', recapturedOutsideWindow: 60 };

function hcc(hccNo: number, description: string, lastDate: string, dropped: boolean, value: number): PricedHcc {
  return {
    open: { model: 'V28', hcc: hccNo, description, lastDate, provider: '1', dropped, inWindow: false, byMemberProvider: true },
    value,
    outrankedBy: [],
    rate: RATE,
    accelerated: 0,
    incremental: 0.2 * value,
  };
}

const HF = hcc(226, 'Heart Failure, Except End-Stage and Acute', '2023-03-05', false, 3210.55);
const DIABETES = hcc(37, 'Diabetes with Chronic Complications', '2022-05-01', true, 1000.4);
const COPD = hcc(280, 'Chronic Obstructive Pulmonary Disease', '2023-01-10', false, 500);

describe('reasonsFor', () => {
  it('a continuing member: the two open HCCs worth the most, then the change of the risk score', () => {
    const r = reasonsFor({ asOf: 2024, newMember: false, age: 72, dual: 'none', rafT1: 1.6, rafT2: 1.2, hccs: [HF, DIABETES, COPD] });
    expect(r).toEqual([
      // Worth $3,210.55 a year, to the dollar: $3,211.
      'Heart Failure, Except End-Stage and Acute coded in 2023, not yet in 2024 (worth $3,211 a year)',
      // Coded in 2022 (T-2) and not in 2023 (T-1): dropped.
      'Diabetes with Chronic Complications coded in 2022, not in 2023 nor yet in 2024 (worth $1,000 a year)',
      // 1.600 - 1.200 = 0.40, at least RAF_CHANGE_SHOWN (0.1). The third HCC is left out: at most three reasons, two HCCs.
      'RAF rose 0.40 in 2023 (from 1.200 to 1.600)',
    ]);
    expect(reasonsText(r)).toBe(r.join(' | '));
  });

  it('a new member: what the list knows of them (age, dual status)', () => {
    expect(reasonsFor({ asOf: 2024, newMember: true, age: 85, dual: 'full', rafT1: null, rafT2: null, hccs: [] })).toEqual(['new member in 2024, age 85, full dual']);
    expect(reasonsFor({ asOf: 2024, newMember: true, age: 66, dual: 'none', rafT1: null, rafT2: null, hccs: [] })).toEqual(['new member in 2024, age 66']);
  });

  it('a small change of the risk score is not a reason; its level is, when fewer than two are given', () => {
    // 1.050 - 1.000 = 0.05 < 0.1: the level of RAF_2023 instead.
    expect(reasonsFor({ asOf: 2024, newMember: false, age: 70, dual: 'none', rafT1: 1.05, rafT2: 1, hccs: [] })).toEqual(['RAF 1.050 in 2023']);
    // A fall of 0.30 is a reason as a rise is.
    expect(reasonsFor({ asOf: 2024, newMember: false, age: 70, dual: 'none', rafT1: 0.9, rafT2: 1.2, hccs: [COPD] })).toEqual([
      'Chronic Obstructive Pulmonary Disease coded in 2023, not yet in 2024 (worth $500 a year)',
      'RAF fell 0.30 in 2023 (from 1.200 to 0.900)',
    ]);
    // Two HCCs and a small change: two reasons, the level not added.
    expect(reasonsFor({ asOf: 2024, newMember: false, age: 70, dual: 'none', rafT1: 1.05, rafT2: 1, hccs: [HF, COPD] })).toHaveLength(2);
  });
});
