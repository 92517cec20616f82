// How a member's true conditions become claims, imperfectly. A condition is coded only at an
// encounter, and only when that encounter's provider codes it: each provider has a coding
// thoroughness, each member a primary care provider. Office visits lean to the second half of
// the year (so some conditions are first captured late), inpatient stays come with acute
// conditions and code most chronic ones, outpatient facility visits code few. Every claim also
// carries codes that map to no payment HCC, and with a small documented rate (NOISE_RATE) an
// encounter codes a condition the member does not have. Paid amounts are skewed, with outliers.
// Some office visits are audio-only (modifier 93, or FQ at an FQHC/RHC), and the plan's chart
// reviews add records: linked to a visit (conditions its claim missed) or unlinked (conditions no
// record of the year coded), at the rates below (data/synthetic/README.md gives their sources).
// These draws come from the member's second stream, so every other record stays as it was.
// Each record's received_date is its thru_date plus a lag drawn by claim type (claim-lags.ts)
// from streams of its own, so the lags too leave every other byte as it was.
import type { ByteBuilder } from '../byte-builder.ts';
import type { Rng } from '../random.ts';
import { addDays, drawLagDays } from './claim-lags.ts';
import type { ConditionGroup } from './conditions.ts';
import { OTHER_CODES } from './conditions.ts';
import { normal, poisson, type Member } from './population.ts';

/** Share of encounters that code one condition the member does not have. */
export const NOISE_RATE = 0.01;

/** How often the records' sources occur (data/synthetic/README.md, "Records' sources"). */
export interface RecordSourceRates {
  /** Share of office visits (99213-99215) held by telephone alone. */
  audioOnly: number;
  /** Share of audio-only visits billed by an FQHC or RHC: modifier FQ instead of 93. */
  fqShareOfAudioOnly: number;
  /** Share of office visits whose chart the plan's reviewers read afterwards. */
  linkedReview: number;
  /** Share of member-years whose charts the plan reviews with no visit to link to. */
  unlinkedReview: number;
  /** Chance that a review finds, documented in the chart, a held chronic condition the claims missed. */
  chartFinds: number;
}

/**
 * The generator's rates. audioOnly: Yu et al. 2024 (7.8% of 2022 E&M visits by telehealth x 25.4%
 * of those audio-only). fqShareOfAudioOnly and chartFinds: assumptions. linkedReview and
 * unlinkedReview: tuned so that the PY2027 exclusions take 1.53% off the raw score (CMS's
 * estimate) and unlinked chart reviews carry 40% of what only chart reviews code (OIG 2019).
 */
export const RECORD_SOURCE_RATES: Readonly<RecordSourceRates> = {
  audioOnly: 0.02,
  fqShareOfAudioOnly: 0.1,
  linkedReview: 0.5,
  unlinkedReview: 0.6,
  chartFinds: 0.5,
};

/** What a record is (data/contract.ts record_source), with audio-only visits apart. */
export type RecordKind = 'encounter' | 'audio_only' | 'chart_review_linked' | 'chart_review_unlinked';

export interface Providers {
  npi: string[];
  thoroughness: Float64Array;
  /** Facility NPIs for inpatient and outpatient claims. */
  facilities: string[];
}

/** A valid NPI (Luhn check digit over the 80840 prefix) for a provider number. */
export function npiFor(n: number): string {
  const base = `1${String(n % 100_000_000).padStart(8, '0')}`;
  let sum = 24; // the prefix 80840 contributes 24
  for (let i = 0; i < 9; i++) {
    let d = Number(base[8 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return `${base}${(10 - (sum % 10)) % 10}`;
}

/** Providers with coding thoroughness spread from 0.45 to 0.95 (mean 0.7). */
export function createProviders(count: number, rng: Rng): Providers {
  const thoroughness = new Float64Array(count);
  for (let i = 0; i < count; i++) thoroughness[i] = 0.45 + 0.5 * rng.next();
  const facilities = Math.max(3, Math.floor(count / 20));
  return {
    npi: Array.from({ length: count }, (_, i) => npiFor(i)),
    thoroughness,
    facilities: Array.from({ length: facilities }, (_, i) => npiFor(50_000_000 + i)),
  };
}

/** What one member-year's claims coded, for calibration and the truth tables. */
export interface YearCoding {
  /** Codes on the year's claims, in claim order (repeats kept): every record's. */
  codes: string[];
  /**
   * The same codes by the kind of record that carried them. A chart review linked to an
   * audio-only visit copies its modifier, so its codes count as audio-only (the PY2027 rule
   * that takes them out first, ra_diagnosis_source_exclusions.csv).
   */
  codesByKind: Record<RecordKind, string[]>;
  /** Office visits (99213-99215) and, of them, audio-only; chart review records written. */
  officeVisits: number;
  records: Record<RecordKind, number>;
  /** Per condition group: month first coded by an encounter (1-12; chart reviews apart), or 0 when not coded. */
  firstCoded: Uint8Array;
  /** HCC-mapped codes written: with a true condition behind them, and without (noise). */
  trueCodes: number;
  noiseCodes: number;
  claims: number;
}

const pad = (n: number): string => String(n).padStart(2, '0');
// Office visits lean to the end of the year: month m has weight 1 + 0.08 (m - 1).
const MONTH_WEIGHTS = Array.from({ length: 12 }, (_, m) => 1 + 0.08 * m);
const MONTH_TOTAL = MONTH_WEIGHTS.reduce((a, b) => a + b, 0);
const OUTPATIENT_CPT = ['80053', '85025', '71046', '93000', '36415', '80061'];

function visitMonth(rng: Rng): number {
  let u = rng.next() * MONTH_TOTAL;
  for (let m = 0; m < 12; m++) {
    u -= MONTH_WEIGHTS[m]!;
    if (u < 0) return m + 1;
  }
  return 12;
}

function lognormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rng));
}

export interface ClaimContext {
  member: Member;
  year: number;
  /** Last month enrolled (a member who leaves has no claims after). */
  lastMonth: number;
  groups: readonly ConditionGroup[];
  codes: ReadonlyMap<number, readonly string[]>;
  /** HCCs of the named groups, for noise codes. */
  noiseHccs: readonly number[];
  providers: Providers;
  /** Next claim number; advanced by the claims written. */
  claimNumber: { next: number };
  /** Next chart review number (claim ids R1, R2, ...: apart, so the encounters keep their ids). */
  reviewNumber: { next: number };
  rates: Readonly<RecordSourceRates>;
}

/** Writes the member-year's claims (contract CSV rows) and returns what they coded. */
export function writeYearClaims(c: ClaimContext, out: ByteBuilder): YearCoding {
  const { member: m, year, groups, providers } = c;
  const rng = m.rng;
  const held: number[] = [];
  for (let g = 0; g < groups.length; g++) if (m.levels[g]! >= 0) held.push(g);
  const chronic = held.filter((g) => !groups[g]!.acute);
  const acute = held.filter((g) => groups[g]!.acute);
  const src = m.sourceRng;
  const rates = c.rates;
  const coding: YearCoding = {
    codes: [],
    codesByKind: { encounter: [], audio_only: [], chart_review_linked: [], chart_review_unlinked: [] },
    officeVisits: 0,
    records: { encounter: 0, audio_only: 0, chart_review_linked: 0, chart_review_unlinked: 0 },
    firstCoded: new Uint8Array(groups.length),
    trueCodes: 0,
    noiseCodes: 0,
    claims: 0,
  };
  const hccOf = (g: number): number => groups[g]!.levels[m.levels[g]!]!.hcc;
  const codeFor = (g: number): string => rng.pick(c.codes.get(hccOf(g))!);
  /** Conditions a chart review coded this year. */
  const reviewed = new Uint8Array(groups.length);
  const noted = (g: number, month: number): void => {
    coding.trueCodes++;
    if (coding.firstCoded[g] === 0 || coding.firstCoded[g]! > month) coding.firstCoded[g] = month;
  };

  /** The rest of a row after its first date: thru date, procedures, modifiers, codes, paid, NPI, source, received date. */
  const rowTail = (
    thru: string,
    procedures: readonly string[],
    modifiers: readonly string[],
    dx: readonly string[],
    paid: number,
    npi: string,
    source: string,
    received: string,
  ): void => {
    out
      .text(thru)
      .char(44)
      .text(procedures.join('|'))
      .char(44)
      .text(modifiers.join('|'))
      .char(44)
      .text(dx.join('|'))
      .char(44)
      .number(Math.round(paid * 100) / 100, 100)
      .char(44)
      .text(npi)
      .char(44)
      .text(source)
      .char(44)
      .text(received)
      .char(10);
  };

  /** An encounter; returns its dates. Audio-only visits carry `modifiers` (93 or FQ). */
  const claim = (
    type: 'professional' | 'inpatient' | 'outpatient',
    month: number,
    days: number,
    procedures: readonly string[],
    conditions: readonly number[],
    paid: number,
    npi: string,
    modifiers: readonly string[] = [],
  ): { from: string; thru: string; received: string } => {
    const kind: RecordKind = modifiers.length > 0 ? 'audio_only' : 'encounter';
    const dx: string[] = [];
    const other = rng.pick(OTHER_CODES);
    if (conditions.length === 0 || rng.next() < 0.4) dx.push(other);
    for (const g of conditions) {
      dx.push(codeFor(g));
      noted(g, month);
    }
    if (rng.next() < NOISE_RATE) {
      const hcc = rng.pick(c.noiseHccs);
      if (!held.some((g) => hccOf(g) === hcc)) {
        dx.push(rng.pick(c.codes.get(hcc)!));
        coding.noiseCodes++;
      }
    }
    if (rng.next() < 0.5) dx.push(rng.pick(OTHER_CODES));
    for (const d of dx) coding.codes.push(d);
    for (const d of dx) coding.codesByKind[kind].push(d);
    const day = 1 + rng.int(28);
    const from = `${year}-${pad(month)}-${pad(day)}`;
    const thruDay = Math.min(28, day + days);
    const thru = `${year}-${pad(month)}-${pad(thruDay)}`;
    const bill = type === 'inpatient' ? '111' : type === 'outpatient' ? '131' : '';
    out.text('C').number(c.claimNumber.next++).char(44).text(m.id).char(44).text(type).char(44).text(bill).char(44).text(from).char(44);
    const received = addDays(thru, drawLagDays(m.lagRng, type));
    // record_source blank: an encounter.
    rowTail(thru, procedures, modifiers, dx, paid, npi, '', received);
    coding.claims++;
    coding.records[kind]++;
    return { from, thru, received };
  };

  /**
   * A chart review record adding `conditions` (codes drawn from the second stream; no other
   * codes, no payment): professional, with the procedures and modifiers it was given. Received
   * after a professional claim's lag (its own stream), and never before the visit it is linked
   * to (`dates.received`).
   */
  const review = (
    source: 'chart_review_linked' | 'chart_review_unlinked',
    dates: { from: string; thru: string; received?: string },
    procedures: readonly string[],
    modifiers: readonly string[],
    conditions: readonly number[],
    npi: string,
  ): void => {
    const dx = conditions.map((g) => src.pick(c.codes.get(hccOf(g))!));
    // Counted as true codes; not in firstCoded, which follows the encounters (the truth file's
    // first_coded_month and the recapture target stay the providers' coding).
    for (const g of conditions) {
      coding.trueCodes++;
      reviewed[g] = 1;
    }
    const kind: RecordKind = modifiers.length > 0 ? 'audio_only' : source;
    for (const d of dx) {
      coding.codes.push(d);
      coding.codesByKind[kind].push(d);
    }
    const drawn = addDays(dates.thru, drawLagDays(m.reviewLagRng, 'professional'));
    const received = dates.received !== undefined && dates.received > drawn ? dates.received : drawn;
    out.text('R').number(c.reviewNumber.next++).char(44).text(m.id).char(44).text('professional').char(44).char(44).text(dates.from).char(44);
    rowTail(dates.thru, procedures, modifiers, dx, 0, npi, source, received);
    coding.claims++;
    coding.records[source]++;
  };
  const inMonths = (month: number): boolean => month <= c.lastMonth;

  // Office visits: more with more conditions; coded by the treating provider's thoroughness.
  const visits = poisson(rng, (1.2 + 0.9 * held.length) * (m.institutional ? 2 : 1));
  for (let v = 0; v < visits; v++) {
    const month = visitMonth(rng);
    if (!inMonths(month)) continue;
    const pcp = rng.next() < 0.7;
    const provider = pcp ? m.pcp : rng.int(providers.npi.length);
    const t = providers.thoroughness[provider]!;
    const coded = chronic.filter(() => rng.next() < t * 0.6);
    for (const g of acute) if (rng.next() < t * 0.5) coded.push(g);
    const cpt = coded.length >= 3 ? '99215' : coded.length >= 1 ? '99214' : '99213';
    // Audio-only (by telephone), and a later review of the visit's chart: the second stream.
    const modifiers = src.next() < rates.audioOnly ? [src.next() < rates.fqShareOfAudioOnly ? 'FQ' : '93'] : [];
    coding.officeVisits++;
    const npi = providers.npi[provider]!;
    const dates = claim('professional', month, 0, [cpt], coded, lognormal(rng, cpt === '99215' ? 185 : cpt === '99214' ? 135 : 95, 0.15), npi, modifiers);
    if (src.next() < rates.linkedReview) {
      const missed = chronic.filter((g) => !coded.includes(g) && src.next() < rates.chartFinds);
      if (missed.length > 0) review('chart_review_linked', dates, [cpt], modifiers, missed, npi);
    }
  }
  // An annual wellness visit for some: a thorough review of every chronic condition.
  if (rng.next() < 0.45) {
    const month = visitMonth(rng);
    if (inMonths(month)) {
      const t = Math.min(1, providers.thoroughness[m.pcp]! + 0.15);
      claim('professional', month, 0, ['G0439'], chronic.filter(() => rng.next() < t * 0.85), lognormal(rng, 175, 0.1), providers.npi[m.pcp]!);
    }
  }
  // Inpatient stays: most acute conditions bring one; chronic illness raises the chance.
  const stays = (acute.length > 0 && rng.next() < 0.75 ? 1 : 0) + (rng.next() < Math.min(0.5, 0.03 + 0.035 * chronic.length) ? 1 : 0);
  for (let s = 0; s < stays; s++) {
    const month = 1 + rng.int(c.lastMonth);
    const coded = [...(s === 0 ? acute : []), ...chronic.filter(() => rng.next() < 0.85)];
    const paid = lognormal(rng, 9000, 0.6) * (1 + 0.08 * held.length) * (rng.next() < 0.02 ? 4 : 1);
    claim('inpatient', month, 1 + rng.int(8), [], coded, paid, rng.pick(providers.facilities));
  }
  // Outpatient facility care: labs, imaging, ECGs; these code few conditions.
  const outpatient = poisson(rng, 0.6 + 0.3 * held.length);
  for (let o = 0; o < outpatient; o++) {
    const month = 1 + rng.int(c.lastMonth);
    const t = providers.thoroughness[m.pcp]!;
    const coded = chronic.filter(() => rng.next() < 0.25 * t);
    claim('outpatient', month, 0, [rng.pick(OUTPATIENT_CPT)], coded, lognormal(rng, 250, 0.8) * (rng.next() < 0.01 ? 10 : 1), rng.pick(providers.facilities));
  }
  // A retrospective review with no visit to link to (an in-home assessment's chart, say, billed
  // as a home visit, 99350): it adds chronic conditions no record of the year coded.
  if (src.next() < rates.unlinkedReview) {
    const uncoded = chronic.filter((g) => coding.firstCoded[g] === 0 && reviewed[g] === 0 && src.next() < rates.chartFinds);
    if (uncoded.length > 0) {
      const day = `${year}-${pad(1 + src.int(c.lastMonth))}-${pad(1 + src.int(28))}`;
      review('chart_review_unlinked', { from: day, thru: day }, ['99350'], [], uncoded, providers.npi[m.pcp]!);
    }
  }
  return coding;
}
