// Revenue of a candidate list on hand-built members: every figure worked out here from
// DOMAIN.md section 4 (and section 2 for the cash view). Base rate $12,000 a year: $1,000 a month
// at a payment score of 1.0.
import { describe, expect, it } from 'vitest';
import { revenue } from '../scoring/revenue.ts';
import { growthRatio, listRevenue, memberValue, MONTHS_EARLIER, type MemberScoreColumns, type MemberScores } from './revenue.ts';

const BASE = 12000;
const members: MemberScores[] = [
  { rafT: 1.2, rafInitT: 1.0, rafNext: 1.5, monthsPaid: 12 }, // A: captured late, grows faster than c
  { rafT: 0.8, rafInitT: 0.9, rafNext: 0.8, monthsPaid: 12 }, // B: lost ground in the sweep, grows slower than c
  { rafT: 2.0, rafInitT: 1.5, rafNext: NaN, monthsPaid: 0 }, // C: died in T, before payment year T+1
  { rafT: 1.0, rafInitT: 1.0, rafNext: 1.1, monthsPaid: 12 }, // D: not on the list
  { rafT: 1.5, rafInitT: 1.0, rafNext: NaN, monthsPaid: 3 }, // E: dies in March of T+1
  { rafT: 1.1, rafInitT: 1.0, rafNext: NaN, monthsPaid: 6 }, // F: leaves in July of T+1 (6 months enrolled)
  { rafT: 1.0, rafInitT: 0.6, rafNext: 1.3, monthsPaid: 12 }, // G: joined in T, enrolled all of T+1
];
const LIST = [0, 1, 2, 4, 5, 6];

describe('list revenue (DOMAIN.md section 4)', () => {
  it('c is mean(RAF_{T+1}) / mean(RAF_T) over the members with both', () => {
    // A, B, D, G: (1.5 + 0.8 + 1.1 + 1.3) / 4 over (1.2 + 0.8 + 1.0 + 1.0) / 4 = 4.7 / 4.0 = 1.175.
    const g = growthRatio(members, 2024);
    expect(g.c).toBeCloseTo(1.175, 12);
    expect(g).toMatchObject({ withBothYears: 4, notMeasurable: null });
  });

  it('pays an August lump sum only to a member enrolled and alive in August of T+1', () => {
    const c = growthRatio(members).c;
    // A: 6 x (1,200 - 1,000) = 1,200; ratio 1.25 > c: gap 1.5 - 1.175 x 1.2 = 0.09, x 12,000 = 1,080.
    expect(memberValue(members[0]!, c, BASE)).toMatchObject({ lumpSum: 1200, accelerated: 1200, incremental: 1080, noNextYear: false });
    expect(memberValue(members[0]!, c, BASE).gap).toBeCloseTo(0.09, 12);
    // B: 6 x (800 - 900) = -600 is paid (taken back), counts 0 accelerated; ratio 1.0 < c: no gap.
    expect(memberValue(members[1]!, c, BASE)).toEqual({ lumpSum: -600, accelerated: 0, gap: 0, incremental: 0, noNextYear: false });
    // C, E, F: their lump sums would be 6 x 500 = 3,000, 6 x 500 = 3,000 and 6 x 100 = 600, but
    // none is enrolled in August (0, 3 and 6 months): no lump sum. No RAF_{T+1}: no gap, null.
    for (const i of [2, 4, 5]) expect(memberValue(members[i]!, c, BASE)).toEqual({ lumpSum: null, accelerated: 0, gap: null, incremental: null, noNextYear: true });
    // G (joined in T): 6 x (1,000 - 600) = 2,400; ratio 1.3 > c: gap 1.3 - 1.175 = 0.125, x 12,000 = 1,500.
    expect(memberValue(members[6]!, c, BASE)).toMatchObject({ lumpSum: 2400, accelerated: 2400, incremental: 1500 });
  });

  it('totals the list: accelerated and incremental apart, the gap share over both denominators', () => {
    const r = listRevenue(members, LIST, growthRatio(members), BASE, 2025);
    expect(r.members).toBe(6);
    // A 1,200 + G 2,400, moved from August to January: 7 months earlier. C, E, F's 3,000 + 3,000
    // + 600 = 6,600 are not paid; B's -600 is taken back.
    expect(r.accelerated).toEqual({ total: 3600, members: 2, monthsEarlier: 7, notEnrolledInAugust: { members: 3, dollars: 6600 }, negative: { members: 1, total: -600 } });
    expect(MONTHS_EARLIER).toBe(7);
    // A 1,080 + G 1,500 = 2,580. With both years: A, B, G (3); no RAF_{T+1}: C, E, F (3).
    expect(r.incremental).toMatchObject({ notMeasurable: null, members: 2, total: 2580, withBothYears: 3, noNextYear: 3 });
    expect(r.incremental.share).toBeCloseTo(2 / 6, 12);
    expect(r.incremental.shareOfBothYears).toBeCloseTo(2 / 3, 12);
  });

  it('lays out payment year T+1 by month, each member only in the months enrolled and alive', () => {
    const r = listRevenue(members, LIST, growthRatio(members), BASE, 2025);
    // January-March at the initial scores: A 1,000 + B 900 + E 1,000 + F 1,000 + G 600 = 4,500
    // (C, dead before T+1, is paid nothing). April-June: E has died in March: 3,500.
    for (const k of [0, 1, 2]) expect(r.cash[k]).toEqual({ month: `2025-0${k + 1}`, initial: 4500, midYear: 0, lumpSum: 0, total: 4500 });
    for (const k of [3, 4, 5]) expect(r.cash[k]).toEqual({ month: `2025-0${k + 1}`, initial: 3500, midYear: 0, lumpSum: 0, total: 3500 });
    // July-December at RAF_T: A 1,200 + B 800 + G 1,000 = 3,000 (F left after June). August adds
    // the lump sums paid: A 1,200 - B 600 + G 2,400 = 3,000.
    expect(r.cash[6]).toEqual({ month: '2025-07', initial: 0, midYear: 3000, lumpSum: 0, total: 3000 });
    expect(r.cash[7]).toEqual({ month: '2025-08', initial: 0, midYear: 3000, lumpSum: 3000, total: 6000 });
    expect(r.cash[11]).toEqual({ month: '2025-12', initial: 0, midYear: 3000, lumpSum: 0, total: 3000 });
    // The year: 3 x 4,500 + 3 x 3,500 + 6 x 3,000 + 3,000 = 45,000.
    expect(r.cash.reduce((a, m) => a + m.total, 0)).toBe(45000);
  });

  it('DOMAIN.md section 1.8 worked example: a payment score of 2.636 pays $2,285.05 a month, for the months enrolled', () => {
    // 2.636 x $10,402.34 = $27,420.57 a year (DOMAIN.md section 1); a month is 27,420.568 / 12 =
    // 2,285.0473 -> $2,285.05. Twelve months pay 12 x 2,285.05 = $27,420.60 (monthly rounding); a
    // member who dies in March is paid 3 x 2,285.05 = $6,855.15. Same score both runs: no lump sum.
    expect(revenue(2.636, 10402.34)).toEqual({ annual: 27420.57, pmpm: 2285.05 });
    const year = (months: number) => listRevenue([{ rafT: 2.636, rafInitT: 2.636, rafNext: NaN, monthsPaid: months }], [0], growthRatio([]), 10402.34, 2025).cash;
    expect(Math.round(year(12).reduce((a, m) => a + m.total * 100, 0)) / 100).toBe(27420.6);
    expect(Math.round(year(3).reduce((a, m) => a + m.total * 100, 0)) / 100).toBe(6855.15);
    expect(year(3)[3]!.total).toBe(0);
  });

  it('the accelerated dollars are the August lump sum the payment calendar pays, monthly payments rounded first', () => {
    // DOMAIN.md section 1.8's base rate, $10,402.34: at 1.0 the month pays 866.8617 -> $866.86, at
    // 0.9 780.1755 -> $780.18; the lump sum is 6 x (866.86 - 780.18) = $520.08. Rounding once,
    // 6 x 0.1 x 10,402.34 / 12 = 520.117 -> $520.12, is not what CMS pays.
    const m: MemberScores = { rafT: 1.0, rafInitT: 0.9, rafNext: NaN, monthsPaid: 12 };
    expect(memberValue(m, 1, 10402.34).accelerated).toBe(520.08);
    expect(listRevenue([m], [0], growthRatio([m]), 10402.34, 2025).accelerated.total).toBe(520.08);
    expect(listRevenue([m], [0], growthRatio([m]), 10402.34, 2025).cash[7]!.lumpSum).toBe(520.08);
  });

  it('unknown is not zero: with no RAF_{T+1} in the data, c and incremental revenue are null with the reason', () => {
    const noNext = members.map((m) => ({ ...m, rafNext: NaN }));
    const g = growthRatio(noNext, 2025);
    expect(g).toEqual({ c: null, withBothYears: 0, notMeasurable: 'no member has a risk score for 2026: the data ends before 2026' });
    const r = listRevenue(noNext, LIST, g, BASE, 2026);
    expect(r.incremental).toEqual({
      notMeasurable: 'no member has a risk score for 2026: the data ends before 2026',
      members: null,
      share: null,
      withBothYears: 0,
      shareOfBothYears: null,
      total: null,
      gapTotal: null,
      noNextYear: 6,
    });
    // Accelerated revenue needs only T: the same 3,600 as above.
    expect(r.accelerated.total).toBe(3600);
    expect(memberValue(noNext[0]!, g.c, BASE)).toMatchObject({ gap: null, incremental: null });
  });

  it("a plan's scores as columns give the same c and the same list revenue as one object per member", () => {
    const columns: MemberScoreColumns = {
      rafT: Float64Array.from(members, (m) => m.rafT),
      rafInitT: Float64Array.from(members, (m) => m.rafInitT),
      rafNext: Float64Array.from(members, (m) => m.rafNext),
      monthsPaid: Int8Array.from(members, (m) => m.monthsPaid),
    };
    const growth = growthRatio(columns, 2024);
    // 1.175, as above: the same members, read by their place.
    expect(growth).toEqual(growthRatio(members, 2024));
    expect(growth.c).toBeCloseTo(1.175, 12);
    expect(listRevenue(columns, LIST, growth, BASE, 2025)).toEqual(listRevenue(members, LIST, growth, BASE, 2025));
    expect(listRevenue(columns, LIST, growth, BASE, 2025).accelerated.total).toBe(3600);
  });
});
