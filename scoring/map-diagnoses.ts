// Step 3 of DOMAIN.md section 1: ICD-10-CM -> CC through the model's mapping table for the payment
// year (CMS format tables F24xx / F28xx); one code can map to two CCs.
import { isIcd10CmShaped, normalizeDiagnosisCode } from './normalize-diagnosis-codes.ts';

export interface DiagnosisMapping {
  /** Normalised code -> CCs, for codes the table maps (first appearance order, no duplicates). */
  mapped: Map<string, readonly number[]>;
  /** Well-formed codes the table does not map (they contribute nothing). */
  unmapped: string[];
  /** Strings that are not ICD-10-CM shaped after normalisation (as given). */
  invalid: string[];
}

export function mapDiagnosesToCcs(
  rawCodes: readonly string[],
  dxToCc: ReadonlyMap<string, readonly number[]>,
): DiagnosisMapping {
  const mapped = new Map<string, readonly number[]>();
  const unmapped: string[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const raw of rawCodes) {
    const code = normalizeDiagnosisCode(raw);
    if (seen.has(code)) continue;
    seen.add(code);
    const ccs = dxToCc.get(code);
    if (ccs !== undefined) mapped.set(code, ccs);
    else if (isIcd10CmShaped(code)) unmapped.push(code);
    else invalid.push(raw);
  }
  return { mapped, unmapped, invalid };
}
