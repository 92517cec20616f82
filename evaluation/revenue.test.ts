// Revenue of a candidate list on hand-built members: every figure worked out here from
// DOMAIN.md section 4 (and section 2 for the cash view). Base rate $12,000 a year: $1,000 a month.
import { describe, expect, it } from 'vitest';
import { growthRatio, listRevenue, memberValue, type MemberScores } from './revenue.ts';

const BASE = 12000;
const members: MemberScores[] = [
  { rafT: 1.2, rafInitT: 1.0, rafNext: 1.5 }, // A: captured late, grows faster than c
  { rafT: 0.8, rafInitT: 0.9, rafNext: 0.8 }, // B: lost ground in the sweep, grows slower than c
  { rafT: 2.0, rafInitT: 1.5, rafNext: NaN }, // C: died before T+1
  { rafT: 1.0, rafInitT: 1.0, rafNext: 1.1 }, // D: not on the list
];
const LIST = [0, 1, 2];

describe('list revenue (DOMAIN.md section 4)', () => {
  it('c is mean(RAF_{T+1}) / mean(RAF_T) over the members with both', () => {
    // A, B, D: (1.5 + 0.8 + 1.1) / 3 over (1.2 + 0.8 + 1.0) / 3 = 3.4 / 3.0.
    expect(growthRatio(members)).toBeCloseTo(3.4 / 3.0, 12);
  });

  it('prices each member: the positive lump sum, the gap above c, a missing RAF_{T+1} as documented', () => {
    const c = growthRatio(members);
    // A: 6 x (1.2 - 1.0) x 1,000 = 1,200; ratio 1.25 > c: gap 1.5 - 1.1333 x 1.2 = 0.14, x 12,000 = 1,680.
    expect(memberValue(members[0]!, c, BASE)).toMatchObject({ accelerated: 1200, incremental: 1680, noNextYear: false });
    expect(memberValue(members[0]!, c, BASE).gap).toBeCloseTo(0.14, 12);
    // B: 6 x (0.8 - 0.9) x 1,000 < 0 counts 0; ratio 1.0 < c: no gap.
    expect(memberValue(members[1]!, c, BASE)).toEqual({ accelerated: 0, gap: 0, incremental: 0, noNextYear: false });
    // C: 6 x 0.5 x 1,000 = 3,000; no RAF_{T+1}: documented, no gap.
    expect(memberValue(members[2]!, c, BASE)).toEqual({ accelerated: 3000, gap: 0, incremental: 0, noNextYear: true });
  });

  it('totals the list and lays out payment year T+1 by month', () => {
    const r = listRevenue(members, LIST, growthRatio(members), BASE, 2025);
    expect(r.members).toBe(3);
    expect(r.accelerated).toEqual({ total: 4200, members: 2 });
    expect(r.incremental).toMatchObject({ members: 1, total: 1680, noNextYear: 1 });
    expect(r.incremental.share).toBeCloseTo(1 / 3, 12);
    // January-June at the initial scores: 1,000 + 900 + 1,500; July-December at RAF_T:
    // 1,200 + 800 + 2,000; August adds 6 x (1,200 - 1,000) + 6 x (800 - 900) + 6 x (2,000 - 1,500).
    expect(r.cash[0]).toEqual({ month: '2025-01', initial: 3400, midYear: 0, lumpSum: 0, total: 3400 });
    expect(r.cash[6]).toEqual({ month: '2025-07', initial: 0, midYear: 4000, lumpSum: 0, total: 4000 });
    expect(r.cash[7]).toEqual({ month: '2025-08', initial: 0, midYear: 4000, lumpSum: 3600, total: 7600 });
    expect(r.cash.reduce((a, m) => a + m.total, 0)).toBe(6 * 3400 + 6 * 4000 + 3600);
  });

  it('the accelerated dollars are the August lump sum the payment calendar pays, monthly payments rounded first', () => {
    // DOMAIN.md section 1.8's base rate, $10,402.34: at 1.0 the month pays 866.8617 -> $866.86, at
    // 0.9 780.1755 -> $780.18; the lump sum is 6 x (866.86 - 780.18) = $520.08. Rounding once,
    // 6 x 0.1 x 10,402.34 / 12 = 520.117 -> $520.12, is not what CMS pays.
    const m: MemberScores = { rafT: 1.0, rafInitT: 0.9, rafNext: NaN };
    expect(memberValue(m, 1, 10402.34).accelerated).toBe(520.08);
    expect(listRevenue([m], [0], 1, 10402.34, 2025).accelerated.total).toBe(520.08);
    expect(listRevenue([m], [0], 1, 10402.34, 2025).cash[7]!.lumpSum).toBe(520.08);
  });
});
