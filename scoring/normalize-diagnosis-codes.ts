// Step 1 of DOMAIN.md section 1: ICD-10-CM codes are normalised (trim, upper-case, drop the dot)
// before lookup, as CMS formats key on the undotted upper-case code.

/** Trims, upper-cases and removes dots: " e11.9 " -> "E119". */
export function normalizeDiagnosisCode(raw: string): string {
  return raw.trim().toUpperCase().replaceAll('.', '');
}

const ICD10_CM_SHAPE = /^[A-Z][0-9][0-9A-Z]{1,5}$/;

/** True when a normalised code has the shape of an ICD-10-CM code (letter, digit, 1-5 more). */
export function isIcd10CmShaped(code: string): boolean {
  return ICD10_CM_SHAPE.test(code);
}
