// What a candidate list is worth (DOMAIN.md section 4), for a backtest at as-of year T:
// - accelerated revenue: sum over the list of max(0, lump), lump being the August lump sum of
//   payment year T+1 exactly as the payment calendar computes it (augustLumpSum: each monthly
//   payment rounded to the cent first), which early capture would have paid in January;
// - incremental revenue: c = mean(RAF_{T+1}) / mean(RAF_T) over every member with both; a listed
//   member has unrealized potential when RAF_{T+1} / RAF_T > c, worth (RAF_{T+1} - c x RAF_T) x
//   the annual base rate. A listed member with no RAF_{T+1} (died, left) is counted as documented:
//   no gap, and counted as such;
// - the monthly cash view of payment year T+1 for the list: January-June at the initial score,
//   the August lump sum, July-December at the mid-year score (scoring/payment-calendar.ts).
import { augustLumpSum } from '../scoring/payment-calendar.ts';
import { revenue } from '../scoring/revenue.ts';
import { roundHalfUp } from '../scoring/rounding.ts';

/** One member's scores: RAF_T and RAF_init_T (payment scores for T+1), RAF_{T+1}; NaN when absent. */
export interface MemberScores {
  rafT: number;
  rafInitT: number;
  rafNext: number;
}

export interface MemberValue {
  /** max(0, the August lump sum), the lump sum exactly as the payment calendar computes it (augustLumpSum). */
  accelerated: number;
  /** RAF_{T+1} - c x RAF_T when positive and RAF_{T+1} / RAF_T > c; else 0. */
  gap: number;
  /** gap x the annual base rate, to the cent. */
  incremental: number;
  /** RAF_{T+1} is unknown: counted as documented (no gap). */
  noNextYear: boolean;
}

export interface ListRevenue {
  members: number;
  accelerated: { total: number; members: number };
  incremental: { members: number; share: number; total: number; gapTotal: number; noNextYear: number };
  /** Payment year T+1 by month for the list's members with both scores of T. */
  cash: { month: string; initial: number; midYear: number; lumpSum: number; total: number }[];
}

/** c over every member with both RAF_T and RAF_{T+1}; NaN when none. */
export function growthRatio(members: readonly MemberScores[]): number {
  let sumT = 0;
  let sumNext = 0;
  let n = 0;
  for (const m of members) {
    if (Number.isNaN(m.rafT) || Number.isNaN(m.rafNext)) continue;
    sumT += m.rafT;
    sumNext += m.rafNext;
    n++;
  }
  return n === 0 || sumT === 0 ? NaN : sumNext / n / (sumT / n);
}

export function memberValue(m: MemberScores, c: number, annualBaseRate: number): MemberValue {
  const accelerated = Number.isNaN(m.rafT) || Number.isNaN(m.rafInitT) ? 0 : Math.max(0, augustLumpSum(m.rafInitT, m.rafT, annualBaseRate));
  const noNextYear = Number.isNaN(m.rafNext);
  let gap = 0;
  if (!noNextYear && !Number.isNaN(m.rafT) && m.rafT > 0 && m.rafNext / m.rafT > c) gap = m.rafNext - c * m.rafT;
  return { accelerated, gap, incremental: roundHalfUp(gap * annualBaseRate, 2), noNextYear };
}

/** The list's revenue: `list` holds indexes into `members`. */
export function listRevenue(members: readonly MemberScores[], list: readonly number[], c: number, annualBaseRate: number, paymentYear: number): ListRevenue {
  let accTotal = 0;
  let accMembers = 0;
  let incMembers = 0;
  let incTotal = 0;
  let gapTotal = 0;
  let noNext = 0;
  const months = Array.from({ length: 12 }, (_, k) => ({ month: `${paymentYear}-${String(k + 1).padStart(2, '0')}`, initial: 0, midYear: 0, lumpSum: 0, total: 0 }));
  // Sums in cents: whole numbers add exactly.
  const cents = (x: number): number => Math.round(x * 100);
  const monthCents = months.map(() => ({ initial: 0, midYear: 0, lumpSum: 0 }));
  for (const i of list) {
    const m = members[i]!;
    const v = memberValue(m, c, annualBaseRate);
    if (v.accelerated > 0) {
      accTotal += cents(v.accelerated);
      accMembers++;
    }
    if (v.noNextYear) noNext++;
    if (v.gap > 0) {
      incMembers++;
      incTotal += cents(v.incremental);
      gapTotal += v.gap;
    }
    if (!Number.isNaN(m.rafT) && !Number.isNaN(m.rafInitT)) {
      const init = cents(revenue(m.rafInitT, annualBaseRate).pmpm);
      const mid = cents(revenue(m.rafT, annualBaseRate).pmpm);
      for (let k = 0; k < 6; k++) monthCents[k]!.initial += init;
      for (let k = 6; k < 12; k++) monthCents[k]!.midYear += mid;
      monthCents[7]!.lumpSum += cents(augustLumpSum(m.rafInitT, m.rafT, annualBaseRate));
    }
  }
  months.forEach((row, k) => {
    const mc = monthCents[k]!;
    row.initial = mc.initial / 100;
    row.midYear = mc.midYear / 100;
    row.lumpSum = mc.lumpSum / 100;
    row.total = (mc.initial + mc.midYear + mc.lumpSum) / 100;
  });
  return {
    members: list.length,
    accelerated: { total: accTotal / 100, members: accMembers },
    incremental: { members: incMembers, share: list.length === 0 ? 0 : incMembers / list.length, total: incTotal / 100, gapTotal, noNextYear: noNext },
    cash: months,
  };
}
