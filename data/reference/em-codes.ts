// The evaluation-and-management codes that attribute a member to a clinician (issue 17, "Provider
// view"; data/reference/providers/README.md gives each family's source). The one place that reads
// and checks em_codes.csv: a malformed or repeated code stops with the file and the row.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvObjects } from '../csv.ts';
import { ReferenceDataError } from '../errors.ts';
import { REFERENCE_DIR } from './manifest.ts';

export const EM_CODES_FILE = join(REFERENCE_DIR, '..', 'providers', 'em_codes.csv');

export interface EmCode {
  /** CPT or HCPCS code, upper-case (99213, G0439). */
  code: string;
  /** The family (office_established, annual_wellness_subsequent, ...). */
  kind: string;
}

const CODE = /^(\d{5}|[A-Z]\d{4})$/;

/** Parses em_codes.csv's text (`path` names it in errors). */
export function parseEmCodes(text: string, path: string): EmCode[] {
  const seen = new Set<string>();
  return parseCsvObjects(text).map((r, i) => {
    const where = `${path} row ${i + 2}`;
    const code = (r.code ?? '').trim().toUpperCase();
    const kind = (r.kind ?? '').trim();
    if (!CODE.test(code)) throw new ReferenceDataError(`${where}, code: expected a CPT (5 digits) or HCPCS (a letter and 4 digits) code, found "${r.code ?? ''}"`);
    if (kind === '') throw new ReferenceDataError(`${where}, kind: empty`);
    if ((r.source ?? '').trim() === '') throw new ReferenceDataError(`${where}, source: empty`);
    if (seen.has(code)) throw new ReferenceDataError(`${where}, code: ${code} is listed twice`);
    seen.add(code);
    return { code, kind };
  });
}

/** The bundled E/M codes. */
export function loadEmCodes(): EmCode[] {
  return parseEmCodes(readFileSync(EM_CODES_FILE, 'utf8'), EM_CODES_FILE);
}
