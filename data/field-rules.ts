// What a valid value of each kind is, in one place for `load` (as SQL, contract-field-checks.ts)
// and `score` (in JavaScript, score-input.ts): text lengths, code shapes, dates and the reasons'
// words. Light on purpose (no DuckDB): score's worker threads import it.
import type { DateRange, FieldSpec } from './contract.ts';

/** Longest id or text value accepted, in characters. */
export const MAX_TEXT_LENGTH = 64;

export const REASONS = {
  required: 'is required',
  tooLong: `is longer than ${MAX_TEXT_LENGTH} characters`,
  dateShape: 'expected a date YYYY-MM-DD',
  dateExists: 'is not a date that exists',
  dateRange: (r: DateRange): string => `expected a date from ${r.earliest} to ${r.latest}`,
} as const;

/** An enum field's accepted spellings (its values, then its aliases), lower-cased, each with the value stored. */
export function enumSpellings(f: Pick<FieldSpec, 'values' | 'aliases'>): [string, string][] {
  return [...(f.values ?? []).map((v) => [v.toLowerCase(), v] as [string, string]), ...Object.entries(f.aliases ?? {}).map(([a, v]) => [a.toLowerCase(), v] as [string, string])];
}

/** The value an enum field stores for `raw` (trimmed, any case), or undefined when it is not one of its spellings. */
export function enumValue(f: Pick<FieldSpec, 'values' | 'aliases'>, raw: string): string | undefined {
  const k = raw.trim().toLowerCase();
  return enumSpellings(f).find(([s]) => s === k)?.[1];
}

/** What an enum field takes, for reasons: "expected one of M, F (or 1, 2)". */
export function enumExpected(f: Pick<FieldSpec, 'values' | 'aliases'>): string {
  const aliases = Object.keys(f.aliases ?? {});
  return `expected one of ${(f.values ?? []).join(', ')}${aliases.length > 0 ? ` (or ${aliases.join(', ')})` : ''}`;
}

/** A value quoted for a reason, cut to 40 characters (SQL twin: contract-field-checks.ts `shown`). */
export const SHOWN_CHARS = 40;
export const shownValue = (v: string): string => `"${v.slice(0, SHOWN_CHARS)}"`;

/** The code-list field types. */
export type ListType = 'icd10cm-list' | 'cpt-hcpcs-list' | 'modifier-list';

/** What a code of each list type is, for reasons ("not an ICD-10-CM code: ..."). */
export const CODE_WHAT: Record<ListType, string> = {
  'icd10cm-list': 'an ICD-10-CM code',
  'cpt-hcpcs-list': 'a CPT/HCPCS code',
  'modifier-list': 'a modifier (2 letters or digits)',
};

/**
 * A code as written: normalised (dots dropped, upper-cased) it must be an ICD-10-CM code (letter,
 * digit, 1-5 letters or digits), a CPT/HCPCS code (5 digits, 4 digits and a letter, a letter
 * and 4 digits) or a modifier (2 letters or digits). A regular expression for DuckDB and JavaScript.
 */
export function codePattern(type: ListType): string {
  const d = '[.]*';
  switch (type) {
    case 'icd10cm-list':
      return `${d}[A-Za-z]${d}[0-9](?:${d}[0-9A-Za-z]){1,5}${d}`;
    case 'cpt-hcpcs-list':
      return `${d}(?:[0-9](?:${d}[0-9]){3}${d}[0-9A-Za-z]|[A-Za-z](?:${d}[0-9]){4})${d}`;
    case 'modifier-list':
      return `${d}[0-9A-Za-z]${d}[0-9A-Za-z]${d}`;
  }
}

/** "|"-separated codes, spaces around each, empty entries allowed. */
export function listPattern(code: string): string {
  const item = `[[:space:]]*(?:${code})?[[:space:]]*`;
  return `${item}(?:[|]${item})*`;
}

/** The date's shape: YYYY-MM-DD. */
export const DATE_SHAPE = '[0-9]{4}-[0-9]{2}-[0-9]{2}';
const DATE_SHAPE_RE = new RegExp(`^${DATE_SHAPE}$`);

/**
 * Why a date's text is not a valid date in `range` (the reason, built from the value alone), or
 * undefined when it is: the JavaScript twin of the SQL date checks in contract-field-checks.ts.
 */
export function dateProblem(text: string, range: DateRange): string | undefined {
  const found = `, found ${shownValue(text)}`;
  if (!DATE_SHAPE_RE.test(text)) return `${REASONS.dateShape}${found}`;
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return `${REASONS.dateExists}${found}`;
  // ISO dates compare as text.
  if (text < range.earliest || text > range.latest) return `${REASONS.dateRange(range)}${found}`;
  return undefined;
}
