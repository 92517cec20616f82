// ACO REACH alignment's reference data (issue 19; data/reference/alignment/README.md gives each
// file's source and what could not be verified): the PQEM codes, the primary care specialties, the
// rules that vary by performance year and the minimum aligned beneficiaries. The one place that
// reads and checks them: a malformed row stops with the file and the row.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvObjects } from '../csv.ts';
import { ConfigError, ReferenceDataError } from '../errors.ts';
import { REFERENCE_DIR } from './manifest.ts';

export const ALIGNMENT_DIR = join(REFERENCE_DIR, '..', 'alignment');

/** The kinds of ACO REACH entity, each with its own alignment minimum. */
export const ACO_TYPES = ['standard', 'new_entrant', 'high_needs'] as const;
export type AcoType = (typeof ACO_TYPES)[number];

/** The rules of one performance year (rules_by_performance_year.csv). */
export interface AlignmentRules {
  performanceYear: number;
  /** The alignment period runs from this many months before January 1 of the PY ... */
  windowStartMonthsBefore: number;
  /** ... to (not including) this many months before it. */
  windowEndMonthsBefore: number;
  /** Weights of the allowed charges of the earlier and the later alignment year (a ratio: 1 and 2 for 1/3 and 2/3). */
  earlierYearWeight: number;
  laterYearWeight: number;
  /** Primary care specialists decide when their share of the weighted PQEM charges is at least this. */
  primaryCareShare: number;
}

const rowsOf = (file: string): Record<string, string>[] => parseCsvObjects(readFileSync(join(ALIGNMENT_DIR, file), 'utf8'));
const where = (file: string, i: number): string => `${join(ALIGNMENT_DIR, file)} row ${i + 2}`;

function num(r: Record<string, string>, field: string, at: string, integer: boolean): number {
  const text = (r[field] ?? '').trim();
  const n = Number(text);
  if (text === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0) {
    throw new ReferenceDataError(`${at}, ${field}: expected a ${integer ? 'whole ' : ''}number of 0 or more, found "${text}"`);
  }
  return n;
}

function requireSource(r: Record<string, string>, at: string): void {
  if ((r.source ?? '').trim() === '') throw new ReferenceDataError(`${at}, source: empty`);
}

/** The PQEM codes (pqem_codes.csv), upper-case. */
export function loadPqemCodes(): string[] {
  const file = 'pqem_codes.csv';
  const seen = new Set<string>();
  for (const [i, r] of rowsOf(file).entries()) {
    const at = where(file, i);
    const code = (r.code ?? '').trim().toUpperCase();
    if (!/^(\d{5}|[A-Z]\d{4})$/.test(code)) throw new ReferenceDataError(`${at}, code: expected a CPT or HCPCS code, found "${r.code ?? ''}"`);
    if (seen.has(code)) throw new ReferenceDataError(`${at}, code: ${code} is listed twice`);
    requireSource(r, at);
    seen.add(code);
  }
  return [...seen];
}

/** The CMS specialty codes of primary care (primary_care_specialties.csv), upper-case. */
export function loadPrimaryCareSpecialties(): string[] {
  const file = 'primary_care_specialties.csv';
  return rowsOf(file).map((r, i) => {
    const at = where(file, i);
    const s = (r.specialty ?? '').trim().toUpperCase();
    if (!/^[0-9A-Z]{2}$/.test(s)) throw new ReferenceDataError(`${at}, specialty: expected a 2-character CMS specialty code, found "${r.specialty ?? ''}"`);
    requireSource(r, at);
    return s;
  });
}

/** The performance years the rules file holds. */
export function alignmentYears(): number[] {
  return rowsOf('rules_by_performance_year.csv').map((r, i) => num(r, 'performance_year', where('rules_by_performance_year.csv', i), true));
}

/** The rules of performance year `py`; a year the file lacks is a usage error naming the years it has. */
export function loadAlignmentRules(py: number): AlignmentRules {
  const file = 'rules_by_performance_year.csv';
  const rows = rowsOf(file);
  for (const [i, r] of rows.entries()) {
    const at = where(file, i);
    if (num(r, 'performance_year', at, true) !== py) continue;
    requireSource(r, at);
    const rules: AlignmentRules = {
      performanceYear: py,
      windowStartMonthsBefore: num(r, 'window_start_months_before', at, true),
      windowEndMonthsBefore: num(r, 'window_end_months_before', at, true),
      earlierYearWeight: num(r, 'earlier_year_weight', at, true),
      laterYearWeight: num(r, 'later_year_weight', at, true),
      primaryCareShare: num(r, 'primary_care_share', at, false),
    };
    if (rules.windowStartMonthsBefore - rules.windowEndMonthsBefore !== 24) {
      throw new ReferenceDataError(`${at}: the alignment period must be two alignment years of 12 months, found ${rules.windowStartMonthsBefore} to ${rules.windowEndMonthsBefore} months before the performance year`);
    }
    if (rules.primaryCareShare > 1) throw new ReferenceDataError(`${at}, primary_care_share: expected a share from 0 to 1, found ${rules.primaryCareShare}`);
    return rules;
  }
  throw new ConfigError(`no ACO REACH alignment rules for performance year ${py} in ${join(ALIGNMENT_DIR, file)}; it holds ${alignmentYears().join(', ')}`);
}

/** The minimum aligned beneficiaries of an ACO type in a performance year, with its source; undefined when none is on record. */
export function loadMinimumAligned(py: number, acoType: AcoType): { minimum: number; source: string } | undefined {
  const file = 'minimum_aligned.csv';
  for (const [i, r] of rowsOf(file).entries()) {
    const at = where(file, i);
    const type = (r.aco_type ?? '').trim();
    if (!(ACO_TYPES as readonly string[]).includes(type)) throw new ReferenceDataError(`${at}, aco_type: expected one of ${ACO_TYPES.join(', ')}, found "${type}"`);
    requireSource(r, at);
    if (num(r, 'performance_year', at, true) === py && type === acoType) return { minimum: num(r, 'minimum', at, true), source: r.source!.trim() };
  }
  return undefined;
}

/** The benchmark's rules of one performance year (benchmark_by_performance_year.csv). */
export interface BenchmarkRules {
  performanceYear: number;
  /** The year whose payment score claims-aligned growth is measured from (its scores use the dates of service of the year before). */
  referenceYear: number;
  /** Claims-aligned (and both-aligned) scores are limited to cap x the reference-year score ... */
  cap: number;
  /** ... and raised to floor x it when the cap is symmetric; null: no floor. */
  floor: number | null;
  /** The claims-aligned base rate's weights of the regional rate and of the trended historical expenditure (they sum to 1). */
  regionalWeight: number;
  historicalWeight: number;
  source: string;
}

/** The benchmark's rules of performance year `py`; a year the file lacks is a usage error naming the years it has. */
export function loadBenchmarkRules(py: number): BenchmarkRules {
  const file = 'benchmark_by_performance_year.csv';
  const rows = rowsOf(file);
  for (const [i, r] of rows.entries()) {
    const at = where(file, i);
    if (num(r, 'performance_year', at, true) !== py) continue;
    requireSource(r, at);
    const floorText = (r.floor ?? '').trim();
    const rules: BenchmarkRules = {
      performanceYear: py,
      referenceYear: num(r, 'reference_year', at, true),
      cap: num(r, 'cap', at, false),
      floor: floorText === '' ? null : num(r, 'floor', at, false),
      regionalWeight: num(r, 'regional_weight', at, false),
      historicalWeight: num(r, 'historical_weight', at, false),
      source: r.source!.trim(),
    };
    if (rules.referenceYear >= py) throw new ReferenceDataError(`${at}, reference_year: expected a year before the performance year ${py}, found ${rules.referenceYear}`);
    if (rules.cap < 1) throw new ReferenceDataError(`${at}, cap: expected a factor of 1 or more, found ${rules.cap}`);
    if (rules.floor !== null && (rules.floor > 1 || rules.floor <= 0)) throw new ReferenceDataError(`${at}, floor: expected a factor above 0 and at most 1, found ${rules.floor}`);
    if (Math.abs(rules.regionalWeight + rules.historicalWeight - 1) > 1e-9) {
      throw new ReferenceDataError(`${at}: regional_weight and historical_weight must sum to 1, found ${rules.regionalWeight} + ${rules.historicalWeight}`);
    }
    return rules;
  }
  const years = rows.map((r, i) => num(r, 'performance_year', where(file, i), true));
  throw new ConfigError(`no ACO REACH benchmark rules for performance year ${py} in ${join(ALIGNMENT_DIR, file)}; it holds ${years.join(', ')}`);
}
