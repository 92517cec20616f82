// Input contract of `rafcast score`: one member per row (JSONL, CSV or Parquet) with id, dx, sex,
// age or birth_date, segment or the flags it is derived from (dual_status, institutional,
// new_enrollee, snp), orec and medicaid. A golden-vector `input` object plus `id` is a valid row.
import { DATE_RANGES, MEMBERS } from './contract.ts';
import { InputError } from './errors.ts';
import { dateProblem, enumExpected, enumValue, MAX_TEXT_LENGTH, REASONS, shownValue } from './field-rules.ts';
import { SEGMENTS, type Segment, type Sex } from './reference/cms-hcc-tables.ts';

/** The contract's sex field: score takes the spellings load takes. */
const SEX_FIELD = MEMBERS.fields.find((f) => f.name === 'sex')!;

export type DualStatus = 'none' | 'partial' | 'full';

/** What CMS needs to place a member in a segment and a demographic cell. */
export interface DemographicFields {
  sex: Sex;
  /** Age on February 1 of the payment year (CMS AGEF); derived from birthDate when absent. */
  age?: number;
  /** ISO date YYYY-MM-DD. */
  birthDate?: string;
  segment?: Segment;
  /** Original reason for entitlement: 0 old age, 1 disability, 2 ESRD, 3 disability and ESRD. */
  orec: string;
  medicaid?: boolean;
  dualStatus?: DualStatus;
  institutional?: boolean;
  newEnrollee?: boolean;
  /** Enrolled in a chronic-condition SNP: a new enrollee then falls in SNPNE. */
  snp?: boolean;
}

export interface ScoreInputRow extends DemographicFields {
  id: string;
  dx: string[];
}

/** A validated row whose codes are kept as read: a list, or '|'-separated text (CSV). */
export interface ScoreInputFields extends DemographicFields {
  id: string;
  dx: readonly string[] | string;
}

/** Oldest age accepted, in whole years. */
export const MAX_AGE = 125;

/**
 * Checks a header (CSV, Parquet) against the contract: id, sex, orec and age or birth_date are
 * required; throws an E_INPUT_HEADER error naming what is missing.
 */
export function checkScoreHeader(columns: readonly string[], file: string): void {
  const missing = ['id', 'sex', 'orec'].filter((c) => !columns.includes(c));
  if (!columns.includes('age') && !columns.includes('birth_date')) missing.push('age or birth_date');
  if (missing.length > 0) {
    throw new InputError(
      `the header lacks ${missing.join(', ')}; found ${columns.join(', ')}`,
      { file, row: 0 },
      'E_INPUT_HEADER',
    );
  }
}

const isBlank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function parseBool(v: unknown, field: string, where: { file?: string; row: number }): boolean | undefined {
  if (isBlank(v)) return undefined;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['true', '1', 'y', 'yes', 't'].includes(s)) return true;
  if (['false', '0', 'n', 'no', 'f'].includes(s)) return false;
  throw new InputError(`expected true or false, found ${shownValue(String(v))}`, { ...where, field });
}

/** Validates one input record; throws InputError naming the file, row and field. */
export function parseScoreRow(record: Record<string, unknown>, row: number, file?: string): ScoreInputRow {
  const fields = parseScoreFields(record, row, file);
  return { ...fields, dx: dxList(fields.dx) };
}

/** A row's codes as a list: '|'-separated text is split and its blank entries dropped. */
export function dxList(dx: readonly string[] | string): string[] {
  return typeof dx === 'string' ? dx.split('|').filter((c) => c.trim() !== '') : [...dx];
}

/** As parseScoreRow, but the codes are checked and kept as read, not split (the batch path). */
export function parseScoreFields(record: Record<string, unknown>, row: number, file?: string): ScoreInputFields {
  const where = { file, row };
  const id = record.id;
  if (isBlank(id) || (typeof id !== 'string' && typeof id !== 'number')) {
    throw new InputError('a member id is required', { ...where, field: 'id' });
  }
  // The same rules as `load` (field-rules.ts): an id's length, the dates. A code that is not an
  // ICD-10-CM code is not an error here: the score lists it (invalid_dx), as CMS's software does.
  if (String(id).length > MAX_TEXT_LENGTH) throw new InputError(REASONS.tooLong, { ...where, field: 'id' });

  let dx: readonly string[] | string;
  const rawDx = record.dx;
  if (isBlank(rawDx)) dx = [];
  else if (Array.isArray(rawDx)) {
    for (let k = 0; k < rawDx.length; k++) {
      if (typeof rawDx[k] !== 'string') throw new InputError(`dx[${k}] is not a string`, { ...where, field: 'dx' });
    }
    dx = rawDx as string[];
  } else if (typeof rawDx === 'string') dx = rawDx;
  else throw new InputError('expected a list of ICD-10-CM codes (or "|"-separated in CSV)', { ...where, field: 'dx' });

  // The contract's one definition of sex (data/contract.ts), as load checks it.
  const sex = enumValue(SEX_FIELD, String(record.sex ?? '')) as Sex | undefined;
  if (sex === undefined) {
    throw new InputError(`${enumExpected(SEX_FIELD)}, found ${shownValue(String(record.sex ?? ''))}`, { ...where, field: 'sex' });
  }

  const out: ScoreInputFields = { id: String(id), dx, sex, orec: '' };
  if (!isBlank(record.age)) {
    const age = Number(record.age);
    if (!Number.isInteger(age) || age < 0 || age > MAX_AGE) {
      throw new InputError(`expected a whole number of years from 0 to ${MAX_AGE}, found ${shownValue(String(record.age))}`, {
        ...where,
        field: 'age',
      });
    }
    out.age = age;
  } else if (!isBlank(record.birth_date)) {
    const birthDate = String(record.birth_date).trim();
    const problem = dateProblem(birthDate, DATE_RANGES.birth);
    if (problem !== undefined) throw new InputError(problem, { ...where, field: 'birth_date' });
    out.birthDate = birthDate;
  } else {
    throw new InputError('age or birth_date is required', { ...where, field: 'age' });
  }

  if (!isBlank(record.segment)) {
    const seg = String(record.segment).trim().toUpperCase();
    if (!(SEGMENTS as readonly string[]).includes(seg)) {
      throw new InputError(`unknown segment ${shownValue(String(record.segment))}; expected one of ${SEGMENTS.join(', ')}`, {
        ...where,
        field: 'segment',
      });
    }
    out.segment = seg as Segment;
  }
  const orec = String(record.orec ?? '').trim();
  if (!/^[0-3]$/.test(orec)) {
    throw new InputError(`expected OREC 0, 1, 2 or 3, found ${shownValue(orec)}`, { ...where, field: 'orec' });
  }
  out.orec = orec;
  const medicaid = parseBool(record.medicaid, 'medicaid', where);
  if (medicaid !== undefined) out.medicaid = medicaid;
  if (!isBlank(record.dual_status)) {
    const d = String(record.dual_status).trim().toLowerCase();
    if (d !== 'none' && d !== 'partial' && d !== 'full') {
      throw new InputError(`expected none, partial or full, found ${shownValue(String(record.dual_status))}`, {
        ...where,
        field: 'dual_status',
      });
    }
    out.dualStatus = d;
  }
  for (const [field, key] of [
    ['institutional', 'institutional'],
    ['new_enrollee', 'newEnrollee'],
    ['snp', 'snp'],
  ] as const) {
    const v = parseBool(record[field], field, where);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
