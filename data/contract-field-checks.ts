// Each field of the input contract (data/contract.ts) checked in DuckDB SQL: the conditions that
// reject a row, in order, each with the reason the quarantine file gives, and the SQL that turns
// a valid field's text into its typed value. load-contract-file.ts runs them on every row.
import type { DateRange, FieldSpec } from './contract.ts';
import { CODE_WHAT, codePattern, DATE_SHAPE, enumExpected, enumSpellings, listPattern, MAX_TEXT_LENGTH, REASONS, SHOWN_CHARS, type ListType } from './field-rules.ts';
import { sqlString } from './duckdb.ts';

/**
 * A code-list field: ICD-10-CM diagnoses, CPT/HCPCS procedures or procedure modifiers,
 * "|"-separated in text.
 */
export const isList = (f: FieldSpec): f is FieldSpec & { type: ListType } =>
  f.type === 'icd10cm-list' || f.type === 'cpt-hcpcs-list' || f.type === 'modifier-list';

/** Each list type's code in its stored shape (upper-case, no dots, no spaces). */
const CLEAN_CODE: Record<ListType, string> = {
  'icd10cm-list': '[A-Z][0-9][0-9A-Z]{1,5}',
  'cpt-hcpcs-list': '(?:[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4})',
  'modifier-list': '[0-9A-Z]{2}',
};

/**
 * A list exactly as it is stored: one or more codes in their normalised shape (upper-case, no
 * dots, no spaces), "|"-separated. Most files hold their lists this way.
 */
export function cleanListPattern(type: ListType): string {
  const code = CLEAN_CODE[type];
  return `${code}(?:[|]${code})*`;
}

export type { ListType } from './field-rules.ts';

/** A value quoted for a reason, cut to 40 characters (JavaScript twin: field-rules.ts shownValue). */
const shown = (v: string): string => `'"' || left(${v}, ${SHOWN_CHARS}) || '"'`;

/**
 * The field's checks in order: [bad when, reason] as SQL on its trimmed text `v` (NULL if blank)
 * and its typed value `typed` (NULL when the text does not convert), each computed once.
 */
export function fieldChecks(f: FieldSpec, v: string, typed: string, typedSource: boolean, cleanFlag?: string): [string, string][] {
  if (typedSource) return typedSourceChecks(f, v, typed);
  const checks: [string, string][] = [];
  const found = f.phi ? `''` : `', found ' || ${shown(v)}`;
  // A clean list (see cleanListPattern) passes every check of its field.
  const unlessClean = cleanFlag === undefined ? '' : `NOT coalesce(${cleanFlag}, false) AND `;
  if (f.required) checks.push([isList(f) ? `${unlessClean}(${v} IS NULL OR NOT regexp_matches(${v}, '[0-9A-Za-z]'))` : `${v} IS NULL`, sqlString(REASONS.required)]);
  switch (f.type) {
    case 'id':
    case 'text':
      checks.push([`length(${v}) > ${MAX_TEXT_LENGTH}`, sqlString(REASONS.tooLong)]);
      break;
    case 'date':
      checks.push([
        // The shape by position (cheaper than a regular expression), the digits only when the cast fails.
        `length(${v}) <> 10 OR substr(${v}, 5, 1) <> '-' OR substr(${v}, 8, 1) <> '-' OR (${typed} IS NULL AND NOT regexp_full_match(${v}, '${DATE_SHAPE}'))`,
        `${sqlString(REASONS.dateShape)} || ${found}`,
      ]);
      // The shape is right but the day is not in the calendar (2024-02-30): built from the value alone.
      checks.push([`${typed} IS NULL`, `${sqlString(REASONS.dateExists)} || ${found}`]);
      checks.push(dateRangeCheck(f, typed, found));
      break;
    case 'int':
      checks.push([`${typed} IS NULL OR NOT regexp_full_match(${v}, '-?[0-9]{1,9}')`, `'expected a whole number' || ${found}`]);
      checks.push([`${typed} NOT BETWEEN ${f.min ?? -1e9} AND ${f.max ?? 1e9}`, `'expected a whole number from ${f.min} to ${f.max}' || ${found}`]);
      break;
    case 'amount':
      checks.push([
        `${typed} IS NULL OR NOT regexp_full_match(${v}, '-?[0-9]{1,12}(\\.[0-9]{1,2})?')`,
        `'expected an amount in dollars such as 182.40' || ${found}`,
      ]);
      if (f.min !== undefined) checks.push([`${typed} < ${f.min}`, `'is negative' || ${found}`]);
      break;
    case 'enum':
      checks.push([`${typed} IS NULL`, `${sqlString(enumExpected(f))} || ${found}`]);
      break;
    case 'bool':
      checks.push([`${typed} IS NULL`, `'expected true or false' || ${found}`]);
      break;
    case 'bill-type':
      checks.push([`NOT regexp_full_match(${v}, '0?[0-9]{3}')`, `'expected a 3-digit type of bill' || ${found}`]);
      break;
    case 'npi':
      checks.push([`NOT regexp_full_match(${v}, '[0-9]{10}')`, `'expected a 10-digit NPI' || ${found}`]);
      break;
    case 'ndc':
      checks.push([`NOT regexp_full_match(replace(${v}, '-', ''), '[0-9]{11}')`, `'expected an 11-digit NDC (dashes are dropped)' || ${found}`]);
      break;
    case 'atc':
      // ATC levels 3 to 5: A10A, A10AE, A10AE04 (WHO Collaborating Centre for Drug Statistics Methodology).
      checks.push([`NOT regexp_full_match(upper(${v}), '[A-Z][0-9]{2}[A-Z](?:[A-Z](?:[0-9]{2})?)?')`, `'expected an ATC code of level 3 to 5 such as A10A or B01AF01' || ${found}`]);
      break;
    case 'loinc':
      // The shape only (digits, a dash, the check digit); whether the code exists is the rules' business.
      checks.push([`NOT regexp_full_match(${v}, '[0-9]{1,7}-[0-9]')`, `'expected a LOINC code such as 33914-3' || ${found}`]);
      break;
    case 'decimal':
      checks.push([`${typed} IS NULL OR NOT regexp_full_match(${v}, '-?[0-9]{1,15}([.][0-9]{1,15})?')`, `'expected a number such as 38.5' || ${found}`]);
      break;
    case 'tin':
      checks.push([`NOT regexp_full_match(${v}, '[0-9]{2}-?[0-9]{7}')`, `'expected a 9-digit TIN' || ${found}`]);
      break;
    case 'specialty':
      checks.push([`NOT regexp_full_match(${v}, '[0-9A-Za-z]{2}')`, `'expected a 2-character CMS specialty code' || ${found}`]);
      break;
    case 'icd10cm-list':
    case 'cpt-hcpcs-list':
    case 'modifier-list': {
      // One match of the text per row; the first bad code is looked for only when it fails.
      const code = codePattern(f.type);
      const what = CODE_WHAT[f.type];
      checks.push([
        `${unlessClean}NOT regexp_full_match(${v}, '${listPattern(code)}')`,
        `'not ${what}: ' || ${shown(`trim(list_filter(string_split(${v}, '|'), x -> NOT regexp_full_match(trim(x), '(?:${code})?'))[1])`)}`,
      ]);
      break;
    }
  }
  // A check on a blank optional value never fails.
  return checks.map(([bad, reason]) => [f.required ? bad : `${v} IS NOT NULL AND (${bad})`, reason]);
}

/**
 * Checks for a field whose Parquet column already has its SQL type (a DATE, an INTEGER, a
 * DECIMAL with at most two places, a BOOLEAN, a number for a decimal field): only presence and range remain to check.
 */
function typedSourceChecks(f: FieldSpec, v: string, typed: string): [string, string][] {
  const checks: [string, string][] = [];
  // The value as the file holds it, in its own type.
  const found = `', found ' || ${shown(`CAST(${v} AS VARCHAR)`)}`;
  if (f.required) checks.push([`${typed} IS NULL`, sqlString(REASONS.required)]);
  if (f.type === 'date') {
    checks.push(dateRangeCheck(f, typed, found));
  } else if (f.type === 'int') {
    checks.push([`${typed} NOT BETWEEN ${f.min ?? -1e9} AND ${f.max ?? 1e9}`, `'expected a whole number from ${f.min} to ${f.max}' || ${found}`]);
  } else if (f.type === 'amount' && f.min !== undefined) {
    checks.push([`${typed} < ${f.min}`, `'is negative' || ${found}`]);
  } else if (f.type === 'decimal') {
    checks.push([`NOT isfinite(${typed})`, `'expected a number such as 38.5' || ${found}`]);
  }
  return checks;
}

/** The date field's range (contract.ts DATE_RANGES), as [bad when, reason] naming the bounds. */
function dateRangeCheck(f: FieldSpec, typed: string, found: string): [string, string] {
  const r: DateRange | undefined = f.dates;
  if (r === undefined) throw new Error(`the date field ${f.name} names no range (contract.ts DATE_RANGES)`);
  return [`${typed} NOT BETWEEN DATE '${r.earliest}' AND DATE '${r.latest}'`, `${sqlString(REASONS.dateRange(r))} || ${found}`];
}

/** True when a Parquet column of this type can stand for the field as it is. */
export function typedSourceFits(f: FieldSpec, parquetType: string): boolean {
  const t = parquetType.toUpperCase();
  if (f.type === 'date') return t === 'DATE';
  if (f.type === 'int') return t === 'INTEGER' || t === 'SMALLINT' || t === 'TINYINT';
  if (f.type === 'amount') return /^DECIMAL\(\d+,[0-2]\)$/.test(t) || t === 'INTEGER' || t === 'BIGINT';
  if (f.type === 'bool') return t === 'BOOLEAN';
  if (f.type === 'decimal') return ['DOUBLE', 'FLOAT', 'INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT'].includes(t) || /^DECIMAL\(\d+,\d+\)$/.test(t);
  return false;
}

/** The field's value once valid, as its SQL type. */
export function typedValue(f: FieldSpec, v: string): string {
  switch (f.type) {
    case 'date':
      return `TRY_CAST(${v} AS DATE)`;
    case 'int':
      return `TRY_CAST(${v} AS INTEGER)`;
    case 'amount':
      return `TRY_CAST(${v} AS DECIMAL(14,2))`;
    case 'enum':
      return `CASE lower(${v}) ${enumSpellings(f).map(([s, x]) => `WHEN ${sqlString(s)} THEN ${sqlString(x)}`).join(' ')} END`;
    case 'bool':
      return `CASE WHEN lower(${v}) IN ('true', 't', '1', 'y', 'yes') THEN true WHEN lower(${v}) IN ('false', 'f', '0', 'n', 'no') THEN false END`;
    case 'bill-type':
      return `right(${v}, 3)`;
    case 'decimal':
      return `TRY_CAST(${v} AS DOUBLE)`;
    case 'ndc':
    case 'tin':
      return `replace(${v}, '-', '')`;
    case 'atc':
    case 'specialty':
      return `upper(${v})`;
    default:
      // Lists stay text until the accepted rows are stored (listValue).
      return v;
  }
}

/** A valid "|"-separated code list as the stored list: dots dropped, upper-case, no blanks. */
export function listValue(v: string): string {
  const fast = `string_split(upper(replace(${v}, '.', '')), '|')`;
  const careful = `list_filter(list_transform(string_split(${v}, '|'), x -> upper(replace(trim(x), '.', ''))), x -> x <> '')`;
  return `CASE WHEN ${v} IS NULL THEN []::VARCHAR[] WHEN regexp_matches(${v}, '[[:space:]]|[|][|]|^[|]|[|]$') THEN ${careful} ELSE ${fast} END`;
}
