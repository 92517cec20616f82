// The ACO REACH benchmark per aligned beneficiary (issue 19; DOMAIN.md 6; the rules per performance
// year and their sources: data/reference/alignment/benchmark_by_performance_year.csv): the risk
// score growth cap (claims- and both-aligned scores limited to cap x the reference-year score,
// raised to floor x it where the cap is symmetric; voluntary-aligned uncapped), the base rate per
// alignment type (claims: regional_weight x regional rate + historical_weight x historical
// expenditure x trend; voluntary: the regional rate), the benchmark dollars = base rate x score,
// and where documentation effort still pays. Pure functions over typed rows; no I/O.
import type { BenchmarkRules } from '../../data/reference/alignment-rules.ts';

/** How a beneficiary is aligned to the entity (rafcast align's alignment.csv). */
export type AlignmentKind = 'claims' | 'voluntary' | 'both';
export const ALIGNMENT_KINDS: readonly AlignmentKind[] = ['claims', 'voluntary', 'both'];

/** The benchmark's type: both-aligned beneficiaries count as claims-aligned (DOMAIN.md 6). */
export const benchmarkType = (a: AlignmentKind): 'claims' | 'voluntary' => (a === 'voluntary' ? 'voluntary' : 'claims');

/** A score within this of the cap counts as at the cap (1.162 x 1.03 is 1.1968599999999999 in floating point). */
export const CAP_TOLERANCE = 1e-9;

export interface CappedScore {
  /** The score the benchmark uses. */
  capped: number;
  /** cap x reference score, or null when the beneficiary is not capped (voluntary, or no reference-year score). */
  limit: number | null;
  /** floor x reference score where the cap is symmetric, else null. */
  lower: number | null;
  /** Capped and at or above the limit: more coding adds nothing. */
  atCap: boolean;
  /** 'cap' when the limit lowered the score, 'floor' when the floor raised it, null otherwise. */
  by: 'cap' | 'floor' | null;
}

/**
 * The risk score growth cap: a claims- or both-aligned beneficiary's performance-year score is
 * limited to cap x the reference-year score (and raised to floor x it when the rules have a floor);
 * a voluntary-aligned one's is not; without a reference-year score (not in Medicare then) there is
 * nothing to cap against and the score stands.
 */
export function capScore(alignment: AlignmentKind, score: number, referenceScore: number | null, rules: Pick<BenchmarkRules, 'cap' | 'floor'>): CappedScore {
  if (benchmarkType(alignment) === 'voluntary' || referenceScore === null) return { capped: score, limit: null, lower: null, atCap: false, by: null };
  const limit = rules.cap * referenceScore;
  const lower = rules.floor === null ? null : rules.floor * referenceScore;
  const atCap = score >= limit - CAP_TOLERANCE;
  if (score > limit) return { capped: limit, limit, lower, atCap, by: 'cap' };
  if (lower !== null && score < lower) return { capped: lower, limit, lower, atCap, by: 'floor' };
  return { capped: score, limit, lower, atCap, by: null };
}

/** The user's rates (rates.csv, read by benchmark-rates.ts): annual dollars per beneficiary at a risk score of 1.0. */
export interface BenchmarkRates {
  /** The regional rate of the performance year. */
  regionalRate: number;
  /** The factor carrying historical expenditure to the performance year (the US per capita cost trend). */
  trend: number;
  /** Historical expenditure per beneficiary for the whole entity, when given. */
  entityHistorical: number | null;
  /** By participant TIN (a claims-aligned beneficiary's aligned_tin). */
  practiceHistorical: ReadonlyMap<string, number>;
  /** By member_id. */
  beneficiaryHistorical: ReadonlyMap<string, number>;
}

/** Where a claims-aligned beneficiary's historical expenditure came from: the most specific level given. */
export type HistoricalLevel = 'beneficiary' | 'practice' | 'entity';

/** Claims-aligned base rate: regional_weight x regional rate + historical_weight x historical expenditure x trend. */
export function claimsBaseRate(regionalRate: number, historical: number, trend: number, rules: Pick<BenchmarkRules, 'regionalWeight' | 'historicalWeight'>): number {
  return rules.regionalWeight * regionalRate + rules.historicalWeight * historical * trend;
}

/** A beneficiary's historical expenditure, the most specific level first; undefined when no level gives one. */
export function historicalFor(rates: BenchmarkRates, memberId: string, tin: string | null): { historical: number; level: HistoricalLevel } | undefined {
  const b = rates.beneficiaryHistorical.get(memberId);
  if (b !== undefined) return { historical: b, level: 'beneficiary' };
  const p = tin === null ? undefined : rates.practiceHistorical.get(tin);
  if (p !== undefined) return { historical: p, level: 'practice' };
  return rates.entityHistorical === null ? undefined : { historical: rates.entityHistorical, level: 'entity' };
}

/** One aligned beneficiary as the benchmark reads it: alignment.csv joined to the history's payment scores. */
export interface AlignedBeneficiary {
  memberId: string;
  alignment: AlignmentKind;
  tin: string | null;
  /** The payment score of the performance year; null when the history has no row (not enrolled and alive on January 1 of PY-1). */
  score: number | null;
  /** The payment score of the reference year; null when the history has none. */
  referenceScore: number | null;
  /** The score the suspects would add if documented (sum of score_with - score_without), when a suspects folder is given. */
  suspectGain?: number | null;
}

export interface BenchmarkRow {
  memberId: string;
  alignment: AlignmentKind;
  type: 'claims' | 'voluntary';
  tin: string | null;
  score: number;
  referenceScore: number | null;
  cappedScore: number;
  limit: number | null;
  atCap: boolean;
  cappedBy: 'cap' | 'floor' | null;
  baseRate: number;
  historicalLevel: HistoricalLevel | null;
  /** base rate x capped score, to the cent. */
  dollars: number;
  /** base rate x score, to the cent: what the benchmark would be without the cap. */
  uncappedDollars: number;
  /** uncappedDollars - dollars: positive, lost to the cap; negative, added by the floor. */
  capDollars: number;
  /** limit - capped score for a capped beneficiary below the limit (what coding could still add to the benchmark's score), else 0; null when not capped. */
  headroom: number | null;
}

const cents = (x: number): number => Math.round(x * 100);

/** Raised when a claims-aligned beneficiary has no historical expenditure at any level: a count, never an id. */
export class MissingHistoricalError extends Error {
  constructor(readonly count: number) {
    super(`${count} claims-aligned beneficiaries have no historical expenditure`);
  }
}

/**
 * Each aligned beneficiary with a performance-year score, capped and priced; those without a score
 * are left out (counted by the caller). Throws MissingHistoricalError when a claims-aligned
 * beneficiary has no historical expenditure at any level of the rates.
 */
export function benchmarkRows(members: readonly AlignedBeneficiary[], rates: BenchmarkRates, rules: BenchmarkRules): BenchmarkRow[] {
  const out: BenchmarkRow[] = [];
  let missing = 0;
  for (const m of members) {
    if (m.score === null) continue;
    const type = benchmarkType(m.alignment);
    let baseRate = rates.regionalRate;
    let historicalLevel: HistoricalLevel | null = null;
    if (type === 'claims') {
      const h = historicalFor(rates, m.memberId, m.tin);
      if (h === undefined) {
        missing++;
        continue;
      }
      baseRate = claimsBaseRate(rates.regionalRate, h.historical, rates.trend, rules);
      historicalLevel = h.level;
    }
    const c = capScore(m.alignment, m.score, m.referenceScore, rules);
    const dollarCents = cents(baseRate * c.capped);
    const uncappedCents = cents(baseRate * m.score);
    out.push({
      memberId: m.memberId,
      alignment: m.alignment,
      type,
      tin: m.tin,
      score: m.score,
      referenceScore: m.referenceScore,
      cappedScore: c.capped,
      limit: c.limit,
      atCap: c.atCap,
      cappedBy: c.by,
      baseRate,
      historicalLevel,
      dollars: dollarCents / 100,
      uncappedDollars: uncappedCents / 100,
      capDollars: (uncappedCents - dollarCents) / 100,
      headroom: c.limit === null ? null : c.atCap ? 0 : c.limit - c.capped,
    });
  }
  if (missing > 0) throw new MissingHistoricalError(missing);
  return out;
}

export interface BenchmarkTotal {
  alignment: AlignmentKind | 'total';
  beneficiaries: number;
  /** Capped beneficiaries at or above the cap, and those the floor raised. */
  atCap: number;
  raisedByFloor: number;
  meanScore: number;
  meanCappedScore: number;
  dollars: number;
  uncappedDollars: number;
  /** Dollars the cap took away (sum of positive capDollars) and the floor added (sum of negative ones, as a positive amount). */
  lostToCap: number;
  addedByFloor: number;
}

/** The benchmark by alignment (claims, both, voluntary) and in total; sums of cents, so totals add up exactly. */
export function benchmarkTotals(rows: readonly BenchmarkRow[]): BenchmarkTotal[] {
  const groups: (AlignmentKind | 'total')[] = [...ALIGNMENT_KINDS, 'total'];
  return groups.map((g) => {
    const rs = g === 'total' ? rows : rows.filter((r) => r.alignment === g);
    const sum = (f: (r: BenchmarkRow) => number): number => rs.reduce((s, r) => s + cents(f(r)), 0) / 100;
    const n = rs.length;
    return {
      alignment: g,
      beneficiaries: n,
      atCap: rs.filter((r) => r.atCap).length,
      raisedByFloor: rs.filter((r) => r.cappedBy === 'floor').length,
      meanScore: n === 0 ? 0 : rs.reduce((s, r) => s + r.score, 0) / n,
      meanCappedScore: n === 0 ? 0 : rs.reduce((s, r) => s + r.cappedScore, 0) / n,
      dollars: sum((r) => r.dollars),
      uncappedDollars: sum((r) => r.uncappedDollars),
      lostToCap: sum((r) => Math.max(0, r.capDollars)),
      addedByFloor: sum((r) => Math.max(0, -r.capDollars)),
    };
  });
}

/** Where documentation effort pays (issue 19). */
export type EffortGroup = 'at_cap' | 'under_cap' | 'voluntary' | 'no_reference';

export interface EffortRow {
  group: EffortGroup;
  /** 1 = most dollars within the group; 0 for at_cap (nothing to gain). */
  rank: number;
  memberId: string;
  alignment: AlignmentKind;
  /** What the value is: the headroom under the cap, the suspects' score (capped at the headroom), or the uncapped benchmark dollars. */
  basis: 'at_cap' | 'headroom' | 'suspects' | 'uncapped_value';
  /** Dollars documentation would still add (under_cap), or the beneficiary's uncapped value (voluntary, no_reference, without suspects). */
  value: number;
}

/**
 * The effort list: claims- and both-aligned beneficiaries at or above the cap apart (coding adds
 * nothing); the others capped ranked by the dollars documentation would still add under the cap,
 * headroom x base rate, or with suspects (min(score + suspect gain, limit) - capped score) x base rate; voluntary-aligned
 * ones (and capped-type ones without a reference score, which nothing caps) by their uncapped value,
 * base rate x score, or with suspects suspect gain x base rate. Ties by member_id.
 */
export function effortRanking(rows: readonly BenchmarkRow[], suspectGain?: ReadonlyMap<string, number>): EffortRow[] {
  const atCap: EffortRow[] = [];
  const ranked: Record<Exclude<EffortGroup, 'at_cap'>, EffortRow[]> = { under_cap: [], voluntary: [], no_reference: [] };
  for (const r of rows) {
    const gain = suspectGain === undefined ? undefined : (suspectGain.get(r.memberId) ?? 0);
    if (r.atCap) {
      atCap.push({ group: 'at_cap', rank: 0, memberId: r.memberId, alignment: r.alignment, basis: 'at_cap', value: 0 });
    } else if (r.headroom !== null) {
      // With suspects: what the score plus their gain reaches under the limit, above the score the benchmark already uses (a floor-raised score gains only past the floor).
      const lift = gain === undefined ? r.headroom : Math.max(0, Math.min(r.score + gain, r.limit!) - r.cappedScore);
      ranked.under_cap.push({ group: 'under_cap', rank: 0, memberId: r.memberId, alignment: r.alignment, basis: gain === undefined ? 'headroom' : 'suspects', value: cents(lift * r.baseRate) / 100 });
    } else {
      const group = r.type === 'voluntary' ? 'voluntary' : 'no_reference';
      ranked[group].push({ group, rank: 0, memberId: r.memberId, alignment: r.alignment, basis: gain === undefined ? 'uncapped_value' : 'suspects', value: cents((gain ?? r.score) * r.baseRate) / 100 });
    }
  }
  const byValue = (a: EffortRow, b: EffortRow): number => b.value - a.value || (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);
  const byId = (a: EffortRow, b: EffortRow): number => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);
  return [
    ...atCap.sort(byId),
    ...(['under_cap', 'voluntary', 'no_reference'] as const).flatMap((g) => ranked[g].sort(byValue).map((r, i) => ({ ...r, rank: i + 1 }))),
  ];
}

/**
 * The cap as CMS applies it in REACH, to the population rather than to each beneficiary: the mean
 * performance-year score of the claims- and both-aligned beneficiaries with a reference score,
 * limited to cap x (and raised to floor x) their mean reference score. Null when there are none.
 */
export function populationCap(rows: readonly BenchmarkRow[], rules: Pick<BenchmarkRules, 'cap' | 'floor'>): { beneficiaries: number; meanScore: number; meanReferenceScore: number; limit: number; cappedMeanScore: number } | null {
  const rs = rows.filter((r) => r.type === 'claims' && r.referenceScore !== null);
  if (rs.length === 0) return null;
  const meanScore = rs.reduce((s, r) => s + r.score, 0) / rs.length;
  const meanReferenceScore = rs.reduce((s, r) => s + r.referenceScore!, 0) / rs.length;
  const c = capScore('claims', meanScore, meanReferenceScore, rules);
  return { beneficiaries: rs.length, meanScore, meanReferenceScore, limit: c.limit!, cappedMeanScore: c.capped };
}
