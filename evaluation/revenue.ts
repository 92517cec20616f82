// What a candidate list is worth (DOMAIN.md section 4), for a backtest at as-of year T. Two kinds
// of money, never added together:
// - accelerated revenue, dollars moved earlier: sum over the list of max(0, lump), lump being the
//   August lump sum of payment year T+1 exactly as the payment calendar computes it
//   (augustLumpSum: each monthly payment rounded to the cent first), for members enrolled and
//   alive in August of T+1 (evaluation/enrolled-months.ts). The plan is paid it anyway, in August;
//   early capture would have paid it from January, 7 months earlier;
// - incremental revenue, dollars gained: c = mean(RAF_{T+1}) / mean(RAF_T) over every member with
//   both; a listed member has unrealized potential when RAF_{T+1} / RAF_T > c, worth
//   (RAF_{T+1} - c x RAF_T) x the annual base rate. A listed member with no RAF_{T+1} (died, left)
//   has no measurable gap: counted apart, and the share is given over the list's members with both
//   years as well as over the whole list. When no member has RAF_{T+1} (T+1 is not in the data),
//   c and incremental revenue are not measurable: null, with the reason, never 0;
// - the monthly cash view of payment year T+1 for the list: January-June at the initial score,
//   the August lump sum, July-December at the mid-year score (scoring/payment-calendar.ts), each
//   only in the months the member is enrolled and alive.
import { augustLumpSum } from '../scoring/payment-calendar.ts';
import { revenue } from '../scoring/revenue.ts';
import { roundHalfUp } from '../scoring/rounding.ts';
import { enrolledInAugust, LUMP_SUM_MONTH } from './enrolled-months.ts';

/** Paid in January instead of August: the months that accelerated dollars arrive earlier. */
export const MONTHS_EARLIER = LUMP_SUM_MONTH - 1;

/**
 * One member's scores: RAF_T and RAF_init_T (payment scores for T+1), RAF_{T+1}, NaN when absent;
 * and the months of payment year T+1 the member is enrolled and alive in, from January (monthsPaid).
 */
export interface MemberScores {
  rafT: number;
  rafInitT: number;
  rafNext: number;
  monthsPaid: number;
}

/**
 * The same scores for every member of a plan as columns, index i one member (a feature table's
 * rows, in their order): at 5,000,000 members an object per member held about 0.35 GB.
 */
export interface MemberScoreColumns {
  rafT: Float64Array;
  rafInitT: Float64Array;
  rafNext: Float64Array;
  monthsPaid: Int8Array;
}

/** Members' scores, one object per member (a few hand-built members) or as columns (a plan's). */
export type MemberScoreSet = readonly MemberScores[] | MemberScoreColumns;

const isColumns = (s: MemberScoreSet): s is MemberScoreColumns => !Array.isArray(s);

/** How many members a set holds. */
export const memberCount = (s: MemberScoreSet): number => (isColumns(s) ? s.rafT.length : s.length);

/** Member i of a set. */
export function memberScoresAt(s: MemberScoreSet, i: number): MemberScores {
  if (!isColumns(s)) return s[i]!;
  return { rafT: s.rafT[i]!, rafInitT: s.rafInitT[i]!, rafNext: s.rafNext[i]!, monthsPaid: s.monthsPaid[i]! };
}

/** c and its population: null, with the reason, when no member has both RAF_T and RAF_{T+1}. */
export interface GrowthRatio {
  c: number | null;
  /** Members with RAF_T and RAF_{T+1}: the population c is taken over. */
  withBothYears: number;
  notMeasurable: string | null;
}

export interface MemberValue {
  /** The August lump sum the member is paid (signed), or null when not enrolled in August or without both scores of T. */
  lumpSum: number | null;
  /** max(0, lumpSum); 0 when no lump sum is paid. */
  accelerated: number;
  /** RAF_{T+1} - c x RAF_T when RAF_{T+1} / RAF_T > c, else 0; null when not measurable (no RAF_{T+1}, or c null). */
  gap: number | null;
  /** gap x the annual base rate, to the cent; null with the gap. */
  incremental: number | null;
  /** RAF_{T+1} is unknown. */
  noNextYear: boolean;
}

export interface IncrementalRevenue {
  /** Why incremental revenue cannot be measured (c is null), else null. When set, the figures below are null. */
  notMeasurable: string | null;
  /** Members of the list with a gap above c. */
  members: number | null;
  /** members / the whole list. */
  share: number | null;
  /** Members of the list with RAF_T and RAF_{T+1}: the denominator of shareOfBothYears. */
  withBothYears: number;
  /** members / withBothYears. */
  shareOfBothYears: number | null;
  total: number | null;
  gapTotal: number | null;
  /** Members of the list with no RAF_{T+1} (died, left, or T+1 not in the data): no measurable gap. */
  noNextYear: number;
}

export interface ListRevenue {
  members: number;
  accelerated: {
    /** Positive August lump sums of members enrolled and alive in August of T+1. */
    total: number;
    members: number;
    /** Paid in January instead of August. */
    monthsEarlier: number;
    /** Members of the list with a positive lump sum who are not enrolled in August of T+1: CMS pays them none. */
    notEnrolledInAugust: { members: number; dollars: number };
    /** Negative lump sums of members enrolled in August (the sweep found less than the initial run): CMS takes them back. */
    negative: { members: number; total: number };
  };
  incremental: IncrementalRevenue;
  /** Payment year T+1 by month for the list's members with both scores of T, in the months each is enrolled and alive. */
  cash: { month: string; initial: number; midYear: number; lumpSum: number; total: number }[];
}

/** c over every member with both RAF_T and RAF_{T+1}; null, with the reason, when there is none. */
export function growthRatio(members: MemberScoreSet, asOf?: number): GrowthRatio {
  let sumT = 0;
  let sumNext = 0;
  let n = 0;
  for (let i = 0; i < memberCount(members); i++) {
    const m = memberScoresAt(members, i);
    if (Number.isNaN(m.rafT) || Number.isNaN(m.rafNext)) continue;
    sumT += m.rafT;
    sumNext += m.rafNext;
    n++;
  }
  // In plain words: the reason is printed for people (the report, the command line).
  const year = (k: number): string => (asOf === undefined ? `T${k === 0 ? '' : `+${k}`}` : String(asOf + k));
  if (n === 0) return { c: null, withBothYears: 0, notMeasurable: `no member has a risk score for ${year(1)}: the data ends before ${year(1)}` };
  if (sumT === 0) return { c: null, withBothYears: n, notMeasurable: `the mean risk score of ${year(0)} is 0` };
  return { c: sumNext / n / (sumT / n), withBothYears: n, notMeasurable: null };
}

export function memberValue(m: MemberScores, c: number | null, annualBaseRate: number): MemberValue {
  const scored = !Number.isNaN(m.rafT) && !Number.isNaN(m.rafInitT);
  const lumpSum = scored && enrolledInAugust(m.monthsPaid) ? augustLumpSum(m.rafInitT, m.rafT, annualBaseRate) : null;
  const noNextYear = Number.isNaN(m.rafNext);
  let gap: number | null = null;
  if (c !== null && !noNextYear && !Number.isNaN(m.rafT)) gap = m.rafT > 0 && m.rafNext / m.rafT > c ? m.rafNext - c * m.rafT : 0;
  return { lumpSum, accelerated: lumpSum === null ? 0 : Math.max(0, lumpSum), gap, incremental: gap === null ? null : roundHalfUp(gap * annualBaseRate, 2), noNextYear };
}

/** The list's revenue: `list` holds indexes into `members`; `growth` is growthRatio over all members. */
export function listRevenue(members: MemberScoreSet, list: readonly number[], growth: GrowthRatio, annualBaseRate: number, paymentYear: number): ListRevenue {
  const c = growth.c;
  // Sums in cents: whole numbers add exactly.
  const cents = (x: number): number => Math.round(x * 100);
  let accTotal = 0;
  let accMembers = 0;
  let unpaidMembers = 0;
  let unpaidTotal = 0;
  let negMembers = 0;
  let negTotal = 0;
  let incMembers = 0;
  let incTotal = 0;
  let gapTotal = 0;
  let both = 0;
  let noNext = 0;
  const monthCents = Array.from({ length: 12 }, () => ({ initial: 0, midYear: 0, lumpSum: 0 }));
  for (const i of list) {
    const m = memberScoresAt(members, i);
    const v = memberValue(m, c, annualBaseRate);
    if (v.accelerated > 0) {
      accTotal += cents(v.accelerated);
      accMembers++;
    } else if (v.lumpSum !== null && v.lumpSum < 0) {
      negTotal += cents(v.lumpSum);
      negMembers++;
    }
    if (v.lumpSum === null && !Number.isNaN(m.rafT) && !Number.isNaN(m.rafInitT)) {
      const unpaid = augustLumpSum(m.rafInitT, m.rafT, annualBaseRate);
      if (unpaid > 0) {
        unpaidMembers++;
        unpaidTotal += cents(unpaid);
      }
    }
    if (v.noNextYear) noNext++;
    else if (!Number.isNaN(m.rafT)) both++;
    if (v.gap !== null && v.gap > 0) {
      incMembers++;
      incTotal += cents(v.incremental!);
      gapTotal += v.gap;
    }
    if (!Number.isNaN(m.rafT) && !Number.isNaN(m.rafInitT)) {
      const init = cents(revenue(m.rafInitT, annualBaseRate).pmpm);
      const mid = cents(revenue(m.rafT, annualBaseRate).pmpm);
      // Months from January, as long as the member is enrolled and alive (monthsPaid).
      for (let k = 0; k < Math.min(6, m.monthsPaid); k++) monthCents[k]!.initial += init;
      for (let k = 6; k < Math.min(12, m.monthsPaid); k++) monthCents[k]!.midYear += mid;
      if (v.lumpSum !== null) monthCents[LUMP_SUM_MONTH - 1]!.lumpSum += cents(v.lumpSum);
    }
  }
  const cash = monthCents.map((mc, k) => ({
    month: `${paymentYear}-${String(k + 1).padStart(2, '0')}`,
    initial: mc.initial / 100,
    midYear: mc.midYear / 100,
    lumpSum: mc.lumpSum / 100,
    total: (mc.initial + mc.midYear + mc.lumpSum) / 100,
  }));
  const measurable = c !== null;
  return {
    members: list.length,
    accelerated: {
      total: accTotal / 100,
      members: accMembers,
      monthsEarlier: MONTHS_EARLIER,
      notEnrolledInAugust: { members: unpaidMembers, dollars: unpaidTotal / 100 },
      negative: { members: negMembers, total: negTotal / 100 },
    },
    incremental: {
      notMeasurable: measurable ? null : growth.notMeasurable ?? 'c is not known',
      members: measurable ? incMembers : null,
      share: measurable ? (list.length === 0 ? 0 : incMembers / list.length) : null,
      withBothYears: both,
      shareOfBothYears: measurable ? (both === 0 ? 0 : incMembers / both) : null,
      total: measurable ? incTotal / 100 : null,
      gapTotal: measurable ? gapTotal : null,
      noNextYear: noNext,
    },
    cash,
  };
}
