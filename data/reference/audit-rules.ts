// The audit-risk (overuse) rules of issue 17 (data/reference/audit-risk/README.md): which rules
// flag an HCC as likely to fail a RADV review, with the HCCs and window a rule reads, and CMS's
// physician specialty types acceptable for risk adjustment. The one place that reads and checks
// both files; a malformed row stops with the file, the row and the field.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvObjects } from '../csv.ts';
import { ReferenceDataError } from '../errors.ts';
import type { ModelTables } from './cms-hcc-tables.ts';
import { REFERENCE_DIR } from './manifest.ts';

export const AUDIT_RULES_DIR = join(REFERENCE_DIR, '..', 'audit-risk');

/** The rules the engine implements, in the order alerts are listed (evaluation/audit-risk/audit-sql.ts). */
export const AUDIT_RULE_NAMES = ['single_claim', 'unacceptable_specialty', 'chart_review_only', 'acute_outpatient_only', 'lone_severity'] as const;
export type AuditRuleName = (typeof AUDIT_RULE_NAMES)[number];

export interface AuditRule {
  rule: AuditRuleName;
  /** The V28 payment HCCs the rule reads (acute_outpatient_only), else empty: every HCC. */
  hccs: readonly number[];
  /** Days before and after a claim (acute_outpatient_only), else null. */
  windowDays: number | null;
  description: string;
  source: string;
}

export interface AuditRules {
  rules: readonly AuditRule[];
  /** CMS specialty codes acceptable for risk adjustment (upper case, as the providers file stores them). */
  acceptableSpecialties: ReadonlySet<string>;
}

/** Parses audit_rules.csv: every rule of AUDIT_RULE_NAMES once, each HCC a payment HCC of `v28`. */
export function parseAuditRules(csv: string, path: string, v28: ModelTables): AuditRule[] {
  const rows = parseCsvObjects(csv).map((r, i): AuditRule => {
    const fail = (field: string, what: string): never => {
      throw new ReferenceDataError(`${path} row ${i + 1}, ${field}: ${what}`);
    };
    const rule = (r.rule ?? '').trim() as AuditRuleName;
    if (!AUDIT_RULE_NAMES.includes(rule)) fail('rule', `expected one of ${AUDIT_RULE_NAMES.join(', ')}, found "${r.rule}"`);
    const hccs = (r.hccs ?? '').trim() === '' ? [] : r.hccs!.split('|').map((v) => Number(v.trim()));
    for (const h of hccs) if (!v28.paymentHccs.includes(h)) fail('hccs', `${h} is not a payment HCC of the V28 tables of payment year ${v28.paymentYear}`);
    const w = (r.window_days ?? '').trim();
    const windowDays = w === '' ? null : Number(w);
    if (windowDays !== null && !(Number.isInteger(windowDays) && windowDays >= 0)) fail('window_days', `expected a whole number of days, found "${w}"`);
    if (rule === 'acute_outpatient_only' && (hccs.length === 0 || windowDays === null)) fail('hccs', 'acute_outpatient_only needs its HCCs and window_days');
    const description = (r.description ?? '').trim();
    const source = (r.source ?? '').trim();
    if (description === '') fail('description', 'is empty');
    if (source === '') fail('source', 'is empty');
    return { rule, hccs, windowDays, description, source };
  });
  for (const name of AUDIT_RULE_NAMES) {
    const n = rows.filter((r) => r.rule === name).length;
    if (n !== 1) throw new ReferenceDataError(`${path}: rule ${name} is listed ${n} times, expected once`);
  }
  return AUDIT_RULE_NAMES.map((name) => rows.find((r) => r.rule === name)!);
}

/** Parses acceptable_specialties.csv: two-character CMS specialty codes. */
export function parseAcceptableSpecialties(csv: string, path: string): Set<string> {
  return new Set(
    parseCsvObjects(csv).map((r, i) => {
      const s = (r.specialty ?? '').trim().toUpperCase();
      if (!/^[0-9A-Z]{2}$/.test(s)) throw new ReferenceDataError(`${path} row ${i + 1}, specialty: expected a 2-character CMS specialty code, found "${r.specialty}"`);
      return s;
    }),
  );
}

/** The bundled rules, checked against `v28` (the tables alerts are priced with). */
export function loadAuditRules(v28: ModelTables): AuditRules {
  const rulesPath = join(AUDIT_RULES_DIR, 'audit_rules.csv');
  const specialtiesPath = join(AUDIT_RULES_DIR, 'acceptable_specialties.csv');
  return {
    rules: parseAuditRules(readFileSync(rulesPath, 'utf8'), rulesPath, v28),
    acceptableSpecialties: parseAcceptableSpecialties(readFileSync(specialtiesPath, 'utf8'), specialtiesPath),
  };
}
