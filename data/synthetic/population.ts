// The members of the synthetic plan and how they change year to year: age mix (with the
// under-65 disabled), sex, entitlement (OREC), dual status, institutional status, latent health
// (a frailty that lifts every condition, and the conditions of data/synthetic/conditions.ts),
// deaths that rise with age and illness, disenrollment, and new enrollees. Every member draws
// from an own random stream, so a member's story does not depend on who else is generated.
import { createRng, type Rng } from '../random.ts';
import type { ConditionGroup } from './conditions.ts';

export type Dual = 'none' | 'partial' | 'full';

export interface Member {
  index: number;
  id: string;
  birthYear: number;
  birthMonth: number;
  birthDay: number;
  sex: 'M' | 'F';
  orec: '0' | '1' | '2' | '3';
  dual: Dual;
  institutional: boolean;
  /** Lifts the chance of every condition: lognormal, mean 1. */
  frailty: number;
  /** Index of the member's primary care provider. */
  pcp: number;
  /** Per condition group: the level held this year (index into its levels), or -1. */
  levels: Int8Array;
  /** Condition groups whose level began this year (most years: none, the shared empty list). */
  onset: readonly number[];
  /** Chronic condition groups the claims coded last year (for calibration), or undefined. */
  codedLastYear?: readonly number[];
  firstYear: number;
  /** Set when the member leaves: died or disenrolled, with the month (1-12). */
  deathDate?: string;
  leftYear?: number;
  leftMonth?: number;
  rng: Rng;
  /**
   * A second stream for the records' sources (audio-only visits, chart reviews,
   * documentation.ts), so that drawing them leaves every draw of `rng`, and so every other
   * record, as it was before they were added.
   */
  sourceRng: Rng;
  /**
   * Streams for when the claims arrive (claim-lags.ts): one for the encounters, one for the chart
   * reviews, so that neither shifts the other's draws and every other byte stays as it was.
   */
  lagRng: Rng;
  reviewLagRng: Rng;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** A standard normal draw (Box-Muller). */
export function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** A Poisson draw (Knuth; means here are small). */
export function poisson(rng: Rng, mean: number): number {
  const l = Math.exp(-Math.min(mean, 30));
  let k = 0;
  for (let p = rng.next(); p > l; p *= rng.next()) k++;
  return k;
}

/** A member's own random stream, from the run's seed and the member's index. */
function memberRng(seed: number, index: number): Rng {
  return createRng((Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}

/** The member's stream for the records' sources, apart from memberRng's. */
function sourceRng(seed: number, index: number): Rng {
  return createRng((Math.imul((seed ^ 0x5f356495) | 0, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
}

/** The member's stream for the encounters' received dates, apart from the two above. */
function lagRng(seed: number, index: number): Rng {
  return createRng((Math.imul((seed ^ 0x2545f491) | 0, 0xc2b2ae35) ^ Math.imul(index + 1, 0x27d4eb2f)) >>> 0);
}

/** The member's stream for the chart reviews' received dates. */
function reviewLagRng(seed: number, index: number): Rng {
  return createRng((Math.imul((seed ^ 0x68e31da4) | 0, 0x27d4eb2f) ^ Math.imul(index + 1, 0x165667b1)) >>> 0);
}

/** Ages of aged members by five-year band from 65 (the last band is 95-99). */
const AGED_BANDS = [0.27, 0.25, 0.19, 0.13, 0.09, 0.05, 0.02];

function pickWeighted(rng: Rng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

const NONE: readonly number[] = [];

export interface NewMember {
  seed: number;
  index: number;
  year: number;
  /** 'initial': the plan's members in the first year; 'aging-in': turns 65 this year; 'switcher': joins from elsewhere. */
  kind: 'initial' | 'aging-in' | 'switcher';
  groups: readonly ConditionGroup[];
  providers: number;
}

/** A new member: demographics drawn to the enrollment profile of data/synthetic/targets.ts. */
export function createMember(n: NewMember): Member {
  const rng = memberRng(n.seed, n.index);
  // Disabled members age into 65 over the years; joiners other than the 65-year-olds include the
  // newly disabled, which keeps the under-65 share near 12%.
  const disabled = n.kind !== 'aging-in' && rng.next() < (n.kind === 'initial' ? 0.125 : 0.35);
  let age: number;
  if (n.kind === 'aging-in') age = 65;
  else if (disabled) age = 25 + Math.floor(40 * Math.sqrt(rng.next())); // 25-64, more of them older
  else age = 65 + 5 * pickWeighted(rng, AGED_BANDS) + rng.int(5);
  const sex = rng.next() < (disabled ? 0.46 : 0.565) ? 'F' : 'M';
  const orec: Member['orec'] = disabled
    ? rng.next() < 0.9
      ? '1'
      : rng.next() < 0.5
        ? '2'
        : '3'
    : rng.next() < 0.8
      ? '0'
      : rng.next() < 0.9
        ? '1'
        : '2';
  const dualChance = disabled ? 0.45 : 0.165;
  const dual: Dual = rng.next() < dualChance ? (rng.next() < 0.7 ? 'full' : 'partial') : 'none';
  const m: Member = {
    index: n.index,
    id: `M${pad(n.index, 8)}`,
    birthYear: n.year - age,
    birthMonth: 1 + rng.int(12),
    birthDay: 1 + rng.int(28),
    sex,
    orec,
    dual,
    institutional: false,
    frailty: Math.exp(0.6 * normal(rng) - 0.18),
    pcp: rng.int(n.providers),
    levels: new Int8Array(n.groups.length).fill(-1),
    onset: NONE,
    firstYear: n.year,
    rng,
    sourceRng: sourceRng(n.seed, n.index),
    lagRng: lagRng(n.seed, n.index),
    reviewLagRng: reviewLagRng(n.seed, n.index),
  };
  return m;
}

/** Age on July 1 of the year: the age the year's chances are drawn at. */
export const ageIn = (m: Member, year: number): number => year - m.birthYear - (m.birthMonth > 6 ? 1 : 0);

/** This year's chance of holding a group's condition, for this member. */
function chance(g: ConditionGroup, m: Member, age: number): number {
  const sexMean = 0.55 * g.femaleFactor + 0.45;
  const sex = (m.sex === 'F' ? g.femaleFactor : 1) / sexMean;
  const ageFactor = age < 65 ? g.disabled : g.agePerDecade ** ((age - 75) / 10);
  return Math.min(0.95, g.prevalence * sex * ageFactor * m.frailty);
}

/**
 * Moves the member's latent conditions to `year`: chronic ones persist (or end), new ones begin
 * at the rate that keeps each condition's prevalence steady; a new member starts at prevalence.
 */
export function advanceConditions(m: Member, groups: readonly ConditionGroup[], year: number): void {
  const age = ageIn(m, year);
  const first = year === m.firstYear;
  let onset: number[] | undefined;
  for (let g = 0; g < groups.length; g++) {
    const spec = groups[g]!;
    const p = chance(spec, m, age);
    if (!first && m.levels[g]! >= 0) {
      if (m.rng.next() >= spec.persistence) m.levels[g] = -1;
      continue;
    }
    const start = first ? p : (p * (1 - spec.persistence)) / Math.max(0.05, 1 - p);
    if (m.rng.next() < start) {
      m.levels[g] = pickWeighted(m.rng, spec.levels.map((l) => l.share));
      (onset ??= []).push(g);
    }
  }
  m.onset = onset ?? NONE;
}

/** Dual and institutional status for the year: mostly kept, sometimes changed. */
export function advanceStatus(m: Member, year: number, dementia: boolean): void {
  const age = ageIn(m, year);
  // Gaining dual status (1% a year) and losing it (4%) balance at about 20% dual.
  if (year !== m.firstYear) {
    if (m.dual === 'none') {
      if (m.rng.next() < 0.01) m.dual = m.rng.next() < 0.7 ? 'full' : 'partial';
    } else if (m.rng.next() < 0.04) m.dual = 'none';
  }
  const enter = 0.004 + (dementia ? 0.05 : 0) + (age >= 85 ? 0.02 : 0);
  m.institutional = m.institutional ? m.rng.next() < 0.85 : m.rng.next() < (year === m.firstYear ? enter * 1.5 : enter);
}

/**
 * Whether the member dies or leaves the plan during the year: death rises with age and the
 * number of conditions held; about 8% disenroll. Sets deathDate / leftYear / leftMonth.
 */
export function decideExit(m: Member, year: number, conditions: number): void {
  const age = ageIn(m, year);
  const base = age < 65 ? 0.012 : 0.008 * Math.exp(0.085 * (age - 65));
  const q = Math.min(0.6, base * (1 + 0.3 * conditions) * (m.institutional ? 2 : 1));
  if (m.rng.next() < q) {
    const month = 1 + m.rng.int(12);
    m.deathDate = `${year}-${pad(month)}-${pad(1 + m.rng.int(28))}`;
    m.leftYear = year;
    m.leftMonth = month;
  } else if (m.rng.next() < 0.08) {
    m.leftYear = year;
    m.leftMonth = 1 + m.rng.int(12);
  }
}

export const birthDate = (m: Member): string => `${m.birthYear}-${pad(m.birthMonth)}-${pad(m.birthDay)}`;
