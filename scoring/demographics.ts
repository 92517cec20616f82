// Step 2 of DOMAIN.md section 1 and the CMS AGESEXV2 rules (derived/interactions_v24_v28.json
// "common.demographics"): age on February 1 of the payment year, segment from dual status,
// institutional and new-enrollee flags, DISABL = (age < 65 and OREC != 0), ORIGDS = (OREC = 1 and
// not DISABL), NE_ORIGDS = (age >= 65 and OREC = 1), and the demographic cell variable names.
import { InputError } from '../data/errors.ts';
import { SEGMENTS, type Segment, type Sex } from '../data/reference/cms-hcc-tables.ts';

import { MAX_AGE, type DemographicFields, type DualStatus } from '../data/score-input.ts';

export { MAX_AGE };
export type { DualStatus };

/** The demographic fields of the input contract (data/score-input.ts). */
export type DemographicInput = DemographicFields;

export interface Demographics {
  age: number;
  sex: Sex;
  segment: Segment;
  orec: string;
  medicaid: boolean;
  disabled: 0 | 1;
  origds: 0 | 1;
  /** NE_ORIGDS: the new-enrollee originally-disabled flag. */
  neOrigds: 0 | 1;
}

const OREC_VALUES = new Set(['0', '1', '2', '3']);

/** Whole years between birth and February 1 of the payment year. */
export function ageOnFebruaryFirst(birthDate: string, paymentYear: number): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m) throw new InputError(`expected a date YYYY-MM-DD, found "${birthDate}"`, { field: 'birth_date' });
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    throw new InputError(`"${birthDate}" is not a calendar date`, { field: 'birth_date' });
  }
  // Born after February 1 of year y: not yet had this year's birthday on Feb 1.
  const hadBirthday = mo < 2 || (mo === 2 && d <= 1);
  const age = paymentYear - y - (hadBirthday ? 0 : 1);
  if (age < 0) {
    throw new InputError(`born after February 1 of payment year ${paymentYear}`, { field: 'birth_date' });
  }
  return age;
}

function communitySegment(dual: DualStatus, age: number): Segment {
  const d = dual === 'full' ? 'F' : dual === 'partial' ? 'P' : 'N';
  return `C${d}${age >= 65 ? 'A' : 'D'}` as Segment;
}

/** Resolves age, segment and the DISABL / ORIGDS flags; throws InputError naming the field. */
export function resolveDemographics(input: DemographicInput, paymentYear: number): Demographics {
  if (input.sex !== 'M' && input.sex !== 'F') {
    throw new InputError(`expected M or F (or 1/2), found "${String(input.sex)}"`, { field: 'sex' });
  }
  let age: number;
  if (input.age !== undefined) {
    age = input.age;
    if (!Number.isInteger(age) || age < 0 || age > MAX_AGE) {
      throw new InputError(`expected a whole number of years from 0 to ${MAX_AGE}, found ${age}`, { field: 'age' });
    }
  } else if (input.birthDate !== undefined) {
    age = ageOnFebruaryFirst(input.birthDate, paymentYear);
    if (age > MAX_AGE) throw new InputError(`age ${age} on February 1 is over ${MAX_AGE}`, { field: 'birth_date' });
  } else {
    throw new InputError('age or birth_date is required', { field: 'age' });
  }
  const orec = String(input.orec ?? '').trim();
  if (!OREC_VALUES.has(orec)) throw new InputError(`expected OREC 0, 1, 2 or 3, found "${orec}"`, { field: 'orec' });

  let segment: Segment;
  if (input.segment !== undefined) {
    if (!(SEGMENTS as readonly string[]).includes(input.segment)) {
      throw new InputError(`unknown segment "${input.segment}"; expected one of ${SEGMENTS.join(', ')}`, {
        field: 'segment',
      });
    }
    segment = input.segment;
  } else if (input.newEnrollee) {
    segment = input.snp ? 'SNPNE' : 'NE';
  } else if (input.institutional) {
    segment = 'INS';
  } else {
    const dual = input.dualStatus ?? (input.medicaid === false ? 'none' : undefined);
    if (dual === undefined) {
      throw new InputError(
        input.medicaid
          ? 'dual_status (partial or full) is needed to derive the segment of a Medicaid member'
          : 'segment, or dual_status / medicaid to derive it, is required',
        { field: 'segment' },
      );
    }
    segment = communitySegment(dual, age);
  }

  let medicaid: boolean;
  if (input.medicaid !== undefined) medicaid = input.medicaid;
  else if (input.dualStatus !== undefined) medicaid = input.dualStatus !== 'none';
  else if (segment.startsWith('CF') || segment.startsWith('CP')) medicaid = true;
  else if (segment.startsWith('CN')) medicaid = false;
  else throw new InputError(`medicaid (or dual_status) is required for segment ${segment}`, { field: 'medicaid' });

  const disabled: 0 | 1 = age < 65 && orec !== '0' ? 1 : 0;
  const origds: 0 | 1 = orec === '1' && disabled === 0 ? 1 : 0;
  const neOrigds: 0 | 1 = age >= 65 && orec === '1' ? 1 : 0;
  return { age, sex: input.sex, segment, orec, medicaid, disabled, origds, neOrigds };
}

const COMMUNITY_BANDS: readonly [number, string][] = [
  [35, '0_34'],
  [45, '35_44'],
  [55, '45_54'],
  [60, '55_59'],
  [65, '60_64'],
  [70, '65_69'],
  [75, '70_74'],
  [80, '75_79'],
  [85, '80_84'],
  [90, '85_89'],
  [95, '90_94'],
];

/** Community and institutional age band: 0_34 ... 90_94, 95_GT. */
export function ageBand(age: number): string {
  for (const [below, band] of COMMUNITY_BANDS) if (age < below) return band;
  return '95_GT';
}

/** New-enrollee age band: as community, but single years 65, 66, 67, 68, 69. */
export function newEnrolleeAgeBand(age: number): string {
  if (age >= 65 && age <= 69) return String(age);
  return ageBand(age);
}

export function isNewEnrolleeSegment(segment: Segment): boolean {
  return segment === 'NE' || segment === 'SNPNE';
}

/** The NE model's cell family, e.g. NE_NMCAID_NORIGDIS_NE. */
export function newEnrolleeModelSegment(d: Demographics): string {
  return `${d.segment}_${d.medicaid ? 'MCAID' : 'NMCAID'}_${d.neOrigds ? 'ORIGDIS' : 'NORIGDIS'}_NE`;
}

/** The CMS demographic variables that fire for a member, segment-prefixed (CFA_M70_74, ...), sorted. */
export function demographicVariables(d: Demographics): { variables: string[]; modelSegment: string } {
  if (isNewEnrolleeSegment(d.segment)) {
    const modelSegment = newEnrolleeModelSegment(d);
    return { variables: [`${modelSegment}${d.sex}${newEnrolleeAgeBand(d.age)}`], modelSegment };
  }
  const seg = d.segment;
  const variables = [`${seg}_${d.sex}${ageBand(d.age)}`];
  if (seg === 'INS') {
    if (d.medicaid) variables.push('INS_LTIMCAID');
    if (d.origds) variables.push('INS_ORIGDS');
  } else if (seg.endsWith('A') && d.origds) {
    variables.push(`${seg}_OriginallyDisabled_${d.sex === 'F' ? 'Female' : 'Male'}`);
  }
  return { variables: variables.sort(), modelSegment: seg };
}
