// The synthetic plan's pharmacy fills and lab results (issue 17), from each member-year's latent
// conditions at the rates of evidence-rates.ts: refills of a drug class for a treated condition,
// tests with values in the condition's range for a monitored one, and the same fills and results,
// at documented rates, for people without the condition (noise). Every draw comes from a stream of
// the member-year's own (evidenceRng), apart from the streams of members, enrollment and claims,
// so adding these files left every byte of the others as it was (generate-evidence.test.ts).
import type { ByteBuilder } from '../byte-builder.ts';
import { createRng, type Rng } from '../random.ts';
import { addDays } from './claim-lags.ts';
import type { ConditionGroup } from './conditions.ts';
import type { Providers } from './documentation.ts';
import { FILL_PATTERN, LAB_RECEIVED_MAX_DAYS, LAB_RULES, PCP_ORDERS, TREATMENT_RULES, type Drug, type ValueSpec } from './evidence-rates.ts';
import { normal, type Member } from './population.ts';

/** The member-year's stream for its fills and results, apart from every stream of population.ts. */
export function evidenceRng(seed: number, index: number, year: number): Rng {
  return createRng((Math.imul((seed ^ 0x3c6ef372) | 0, 0x165667b1) ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(year, 0x27d4eb2f)) >>> 0);
}

export interface EvidenceContext {
  member: Member;
  year: number;
  /** Last month enrolled: nothing is dated after it (or after the death date). */
  lastMonth: number;
  groups: readonly ConditionGroup[];
  seed: number;
  providers: Providers;
  /** Next fill number (fill ids F1, F2, ...) and result number (L1, L2, ...); advanced here. */
  fillNumber: { next: number };
  resultNumber: { next: number };
}

const DAY_MS = 86_400_000;

/** Each year's dates, January 1 onward, past its end by enough for the latest received date: built once a year rather than a Date per row. */
const DATES = new Map<number, string[]>();
function datesOf(year: number): string[] {
  let dates = DATES.get(year);
  if (dates === undefined) {
    dates = Array.from({ length: 366 + LAB_RECEIVED_MAX_DAYS + 1 }, (_, d) => addDays(`${year}-01-01`, d));
    DATES.set(year, dates);
  }
  return dates;
}

/** The rules' HCCs as arrays, read once per member-year without building objects. */
const TREATED = TREATMENT_RULES.map((r) => Object.entries(r.treated).map(([hcc, p]) => [Number(hcc), p] as const));
const MONITORED = LAB_RULES.map((r) => Object.keys(r.monitored).map(Number));

/** The HCCs the member holds this year, and those that began this year. */
function heldHccs(m: Member, groups: readonly ConditionGroup[]): { held: Set<number>; onset: Set<number> } {
  const held = new Set<number>();
  const onset = new Set<number>();
  for (let g = 0; g < groups.length; g++) {
    const level = m.levels[g]!;
    if (level < 0) continue;
    const hcc = groups[g]!.levels[level]!.hcc;
    held.add(hcc);
    if (m.onset.includes(g)) onset.add(hcc);
  }
  return { held, onset };
}

function pickShare<T extends { share: number }>(rng: Rng, items: readonly T[]): T {
  let u = rng.next();
  for (const item of items) {
    u -= item.share;
    if (u < 0) return item;
  }
  return items[items.length - 1]!;
}

/** A normal draw within [min, max] (redrawn, clamped after 20 tries). */
function drawValue(rng: Rng, v: ValueSpec): number {
  for (let i = 0; i < 20; i++) {
    const x = v.mean + v.sd * normal(rng);
    if (x >= v.min && x <= v.max) return x;
  }
  return Math.min(v.max, Math.max(v.min, v.mean));
}

/** Writes the member-year's fills and results (contract CSV rows); returns how many of each. */
export function writeYearEvidence(c: EvidenceContext, pharmacy: ByteBuilder, labs: ByteBuilder): { fills: number; results: number } {
  const { member: m, year, providers } = c;
  const rng = evidenceRng(c.seed, m.index, year);
  const { held, onset } = heldHccs(m, c.groups);
  const dates = datesOf(year);
  // The days enrolled, counted from January 1: to the death date, else to the end of lastMonth.
  const end = m.leftYear === year && m.deathDate !== undefined ? Date.parse(`${m.deathDate}T00:00:00Z`) : Date.UTC(year, c.lastMonth, 0);
  const span = Math.round((end - Date.UTC(year, 0, 1)) / DAY_MS) + 1;
  const clinician = (pcpShare: number): string => providers.npi[rng.next() < pcpShare ? m.pcp : rng.int(providers.npi.length)]!;
  let fills = 0;
  let results = 0;

  const fill = (day: number, drug: Drug, days: number, npi: string): void => {
    const date = dates[day]!;
    const paid = Math.round(drug.paidPer30 * (days / 30) * Math.exp(FILL_PATTERN.paidSigma * normal(rng)) * 100) / 100;
    const atc = rng.next() < FILL_PATTERN.atcMissingShare ? '' : drug.atc;
    pharmacy.text('F').number(c.fillNumber.next++).char(44).text(m.id).char(44).text(date).char(44).text(date).char(44);
    pharmacy.text(drug.ndc).char(44).text(atc).char(44).number(days).char(44).number(paid, 100).char(44).text(npi).char(10);
    fills++;
  };

  for (let r = 0; r < TREATMENT_RULES.length; r++) {
    const rule = TREATMENT_RULES[r]!;
    let treated = -1;
    let began = false;
    for (const [hcc, p] of TREATED[r]!) {
      if (!held.has(hcc)) continue;
      treated = Math.max(treated, p);
      began ||= onset.has(hcc);
    }
    if (treated >= 0) {
      if (rng.next() >= treated) continue;
      // Refills through the enrolled days: from a day in the year a condition began, else from
      // a day within the first gap (the year opens mid-supply); one gap is days_supply / adherence.
      const drug = pickShare(rng, rule.drugs);
      const days = rng.next() < FILL_PATTERN.ninetyDayShare ? 90 : 30;
      const [lo, hi] = FILL_PATTERN.adherence;
      const gap = Math.max(1, Math.round(days / (lo + (hi - lo) * rng.next())));
      const npi = clinician(FILL_PATTERN.pcpPrescribes);
      for (let day = rng.int(began ? span : Math.min(gap, span)); day < span; day += gap) fill(day, drug, days, npi);
    } else if (rng.next() < rule.noise) {
      const drug = pickShare(rng, rule.drugs);
      const npi = clinician(FILL_PATTERN.pcpPrescribes);
      const count = 1 + rng.int(FILL_PATTERN.noiseFillsMax);
      for (let k = 0, day = rng.int(span); k < count && day < span; k++, day += 30) fill(day, drug, 30, npi);
    }
  }

  for (let r = 0; r < LAB_RULES.length; r++) {
    const rule = LAB_RULES[r]!;
    const result = (day: number, value: ValueSpec): void => {
      const scale = 10 ** rule.decimals;
      labs.text('L').number(c.resultNumber.next++).char(44).text(m.id).char(44).text(dates[day]!).char(44);
      labs.text(dates[day + 1 + rng.int(LAB_RECEIVED_MAX_DAYS)]!).char(44).text(pickShare(rng, rule.loincs).code).char(44);
      labs.number(Math.round(drawValue(rng, value) * scale) / scale, scale as 1 | 10).char(44).text(rule.unit).char(44).text(clinician(PCP_ORDERS)).char(10);
      results++;
    };
    const hcc = MONITORED[r]!.find((h) => held.has(h));
    if (hcc !== undefined) {
      const monitored = rule.monitored[hcc]!;
      if (rng.next() >= monitored.tested) continue;
      // Tests spread over the enrolled days: test k in the k-th of perYear equal stretches.
      for (let k = 0; k < monitored.perYear; k++) result(Math.floor(((k + rng.next()) / monitored.perYear) * span), monitored.value);
    } else if (rng.next() < rule.ordinary.tested) {
      result(rng.int(span), rng.next() < rule.noise.share ? rule.noise.value : rule.ordinary.value);
    }
  }
  return { fills, results };
}
