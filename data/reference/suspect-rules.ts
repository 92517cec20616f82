// The suspect rules of issue 17 (data/reference/suspects/README.md): drug classes, lab results and
// coded HCC pairs that imply an uncoded V28 payment HCC. The one place that reads and checks the
// three tables; an HCC that is not a payment HCC of the V28 tables given, or a malformed row,
// stops with the file, the row and the field.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvObjects } from '../csv.ts';
import { ReferenceDataError } from '../errors.ts';
import type { ModelTables } from './cms-hcc-tables.ts';
import { REFERENCE_DIR } from './manifest.ts';

export const SUSPECT_RULES_DIR = join(REFERENCE_DIR, '..', 'suspects');

export const MEDICATION_RULES_FILE = 'medication_rules.csv';
export const LAB_RULES_FILE = 'lab_rules.csv';
export const COMORBIDITY_RULES_FILE = 'comorbidity_rules.csv';

interface RuleBase {
  rule: string;
  hcc: number;
  rationale: string;
  source: string;
}

export interface MedicationRule extends RuleBase {
  /** WHO ATC code of level 3-5: a fill matches when its atc_code starts with it. */
  atcPrefix: string;
  strength: 'strong' | 'weak';
}

export const LAB_COMPARATORS = ['<', '<=', '>=', '>'] as const;
export type LabComparator = (typeof LAB_COMPARATORS)[number];

export interface LabRule extends RuleBase {
  loinc: readonly string[];
  /** Accepted units, lower-cased without spaces (unitKey). */
  units: readonly string[];
  comparator: LabComparator;
  threshold: number;
  minResults: number;
  minDaysApart: number;
}

export interface ComorbidityRule extends RuleBase {
  ifAnyHcc: readonly number[];
  andAnyHcc: readonly number[];
}

export interface SuspectRules {
  medication: readonly MedicationRule[];
  lab: readonly LabRule[];
  comorbidity: readonly ComorbidityRule[];
  /** The V28 tables the HCCs were checked against (their payment year). */
  paymentYear: number;
}

/** A unit as the rules compare it: lower case, no spaces. */
export const unitKey = (unit: string): string => unit.replace(/\s+/g, '').toLowerCase();

const ATC_PREFIX = /^[A-Z]\d{2}[A-Z]([A-Z](\d{2})?)?$/;
const LOINC = /^\d{1,7}-\d$/;

/** A row reader that names the file, the row (1 = the first after the header) and the field of what is wrong. */
function rowChecker(path: string, tables: ModelTables) {
  const seen = new Set<string>();
  return (r: Record<string, string>, i: number) => {
    const fail = (field: string, what: string): never => {
      throw new ReferenceDataError(`${path} row ${i + 1}, ${field}: ${what}`);
    };
    const text = (field: string): string => {
      const v = (r[field] ?? '').trim();
      if (v === '') fail(field, 'is empty');
      return v;
    };
    const hcc = (field: string, value = text(field)): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || !tables.paymentHccs.includes(n)) {
        fail(field, `"${value}" is not a payment HCC of the ${tables.model} tables of payment year ${tables.paymentYear}`);
      }
      return n;
    };
    const hccList = (field: string): number[] => text(field).split('|').map((v) => hcc(field, v.trim()));
    const count = (field: string, min: number): number => {
      const n = Number(text(field));
      if (!Number.isInteger(n) || n < min) fail(field, `expected a whole number of at least ${min}, found "${r[field]}"`);
      return n;
    };
    const rule = text('rule');
    if (!/^[a-z][a-z0-9_]*$/.test(rule) || seen.has(rule)) fail('rule', `expected a new rule name in lower case, found "${rule}"`);
    seen.add(rule);
    const base: RuleBase = { rule, hcc: 0, rationale: text('rationale'), source: text('source') };
    return { fail, text, hcc, hccList, count, base };
  };
}

export function parseMedicationRules(csv: string, path: string, tables: ModelTables): MedicationRule[] {
  const check = rowChecker(path, tables);
  return parseCsvObjects(csv).map((r, i) => {
    const c = check(r, i);
    const atcPrefix = c.text('atc_prefix');
    if (!ATC_PREFIX.test(atcPrefix)) c.fail('atc_prefix', `expected an upper-case ATC code of level 3 to 5 (e.g. A10A, B01AF, N05AH02), found "${atcPrefix}"`);
    const strength = c.text('strength');
    if (strength !== 'strong' && strength !== 'weak') c.fail('strength', `expected strong or weak, found "${strength}"`);
    return { ...c.base, hcc: c.hcc('hcc'), atcPrefix, strength: strength as MedicationRule['strength'] };
  });
}

export function parseLabRules(csv: string, path: string, tables: ModelTables): LabRule[] {
  const check = rowChecker(path, tables);
  return parseCsvObjects(csv).map((r, i) => {
    const c = check(r, i);
    const loinc = c.text('loinc').split('|').map((s) => s.trim());
    for (const l of loinc) if (!LOINC.test(l)) c.fail('loinc', `expected LOINC codes (digits, dash, check digit), found "${l}"`);
    const units = c.text('units').split('|').map(unitKey);
    if (units.some((u) => u === '')) c.fail('units', 'holds an empty unit');
    const comparator = c.text('comparator');
    if (!(LAB_COMPARATORS as readonly string[]).includes(comparator)) c.fail('comparator', `expected one of ${LAB_COMPARATORS.join(' ')}, found "${comparator}"`);
    const threshold = Number(c.text('threshold'));
    if (!Number.isFinite(threshold)) c.fail('threshold', `expected a number, found "${r.threshold}"`);
    return {
      ...c.base,
      hcc: c.hcc('hcc'),
      loinc,
      units,
      comparator: comparator as LabComparator,
      threshold,
      minResults: c.count('min_results', 1),
      minDaysApart: c.count('min_days_apart', 0),
    };
  });
}

export function parseComorbidityRules(csv: string, path: string, tables: ModelTables): ComorbidityRule[] {
  const check = rowChecker(path, tables);
  return parseCsvObjects(csv).map((r, i) => {
    const c = check(r, i);
    return { ...c.base, hcc: c.hcc('implies_hcc'), ifAnyHcc: c.hccList('if_any_hcc'), andAnyHcc: c.hccList('and_any_hcc') };
  });
}

function readRuleFile(dir: string, file: string): { text: string; path: string } {
  const path = join(dir, file);
  try {
    return { text: readFileSync(path, 'utf8'), path };
  } catch (e) {
    throw new ReferenceDataError(`cannot read the suspect rules ${path}: ${(e as Error).message}`);
  }
}

/** The three tables of `dir` (default data/reference/suspects), each HCC checked against `v28` (the V28 tables of the payment year priced). */
export function loadSuspectRules(v28: ModelTables, dir: string = SUSPECT_RULES_DIR): SuspectRules {
  if (v28.model !== 'V28') throw new ReferenceDataError(`the suspect rules name V28 HCCs; they cannot be checked against ${v28.model} tables`);
  const med = readRuleFile(dir, MEDICATION_RULES_FILE);
  const lab = readRuleFile(dir, LAB_RULES_FILE);
  const com = readRuleFile(dir, COMORBIDITY_RULES_FILE);
  return {
    medication: parseMedicationRules(med.text, med.path, v28),
    lab: parseLabRules(lab.text, lab.path, v28),
    comorbidity: parseComorbidityRules(com.text, com.path, v28),
    paymentYear: v28.paymentYear,
  };
}
