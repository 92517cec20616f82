// CMS's risk adjustment data submission deadlines per payment year, as reference data
// (submission-deadlines/ra_submission_deadlines.csv; sources and what was not found in its
// README.md): the initial, mid-year and final deadlines by which a plan's data must reach CMS to
// count in each risk score run. Which window each deadline governs is scoring's rule
// (scoring/payment-calendar.ts, windowDeadlines).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvObjects } from '../csv.ts';
import { ReferenceDataError } from '../errors.ts';
import { REFERENCE_DIR } from './manifest.ts';

export interface SubmissionDeadlines {
  paymentYear: number;
  /** YYYY-MM-DD, the last day data count in each run (inclusive). */
  initial: string;
  midYear: string;
  final: string;
  /** Which of the three were found in a CMS-cited source (the others follow the README's pattern). */
  found: readonly ('initial' | 'mid_year' | 'final')[];
  source: string;
}

export const SUBMISSION_DEADLINES_PATH = join(REFERENCE_DIR, '..', 'submission-deadlines', 'ra_submission_deadlines.csv');

let cache: readonly SubmissionDeadlines[] | undefined;

/** The deadlines of ra_submission_deadlines.csv, one row per payment year, read once. */
export function loadSubmissionDeadlines(): readonly SubmissionDeadlines[] {
  if (cache !== undefined) return cache;
  let text: string;
  try {
    text = readFileSync(SUBMISSION_DEADLINES_PATH, 'utf8');
  } catch (e) {
    throw new ReferenceDataError(`cannot read ${SUBMISSION_DEADLINES_PATH}: ${(e as Error).message}`);
  }
  cache = parseSubmissionDeadlines(text, SUBMISSION_DEADLINES_PATH);
  return cache;
}

const isDate = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

/**
 * Parses and checks the deadlines: a payment year once each; three real dates, the initial
 * before the mid-year before the final, the initial in the year before the payment year.
 */
export function parseSubmissionDeadlines(text: string, path: string): SubmissionDeadlines[] {
  const seen = new Set<number>();
  return parseCsvObjects(text).map((r, i) => {
    const fail = (field: string, what: string): never => {
      throw new ReferenceDataError(`${path} row ${i + 1}, ${field}: ${what}`);
    };
    const paymentYear = Number(r.payment_year);
    if (!Number.isInteger(paymentYear) || paymentYear < 2000 || paymentYear > 2100) fail('payment_year', `expected a payment year, found "${r.payment_year}"`);
    if (seen.has(paymentYear)) fail('payment_year', `${paymentYear} is listed twice`);
    seen.add(paymentYear);
    for (const f of ['initial_deadline', 'mid_year_deadline', 'final_deadline']) {
      if (!isDate(r[f] ?? '')) fail(f, `expected a date YYYY-MM-DD, found "${r[f] ?? ''}"`);
    }
    const initial = r.initial_deadline!;
    const midYear = r.mid_year_deadline!;
    const final = r.final_deadline!;
    if (Number(initial.slice(0, 4)) !== paymentYear - 1) fail('initial_deadline', `expected a date in ${paymentYear - 1}, the year before the payment year, found ${initial}`);
    if (!(initial < midYear && midYear < final)) fail('final_deadline', `expected initial < mid-year < final, found ${initial}, ${midYear}, ${final}`);
    const found = (r.found ?? '').split('|').map((s) => s.trim()).filter((s) => s !== '');
    for (const f of found) if (f !== 'initial' && f !== 'mid_year' && f !== 'final') fail('found', `expected initial, mid_year or final ('|'-separated), found "${f}"`);
    return { paymentYear, initial, midYear, final, found: found as SubmissionDeadlines['found'], source: r.source ?? '' };
  });
}
