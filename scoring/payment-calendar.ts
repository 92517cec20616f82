// DOMAIN.md section 2, the payment calendar: diagnoses with dates of service in year y pay in
// payment year y + 1. The initial run uses July 1 of y - 1 to June 30 of y and pays January-June;
// the mid-year run (the "sweep") uses calendar year y, pays July-December and, in August, a lump
// sum for January-June: 6 x (mid-year monthly payment - initial monthly payment). The final
// reconciliation (year y with late run-out) settles the difference in the year after. Each run
// counts only the data submitted by its deadline (CMS's calendar, data/reference/submission-deadlines).
import { ConfigError } from '../data/errors.ts';
import type { SubmissionDeadlines } from '../data/reference/submission-deadlines.ts';
import { revenue } from './revenue.ts';

export interface ServiceWindow {
  /** First and last date of service, ISO YYYY-MM-DD, both included. */
  from: string;
  to: string;
}

export interface PaymentWindows {
  serviceYear: number;
  paymentYear: number;
  /** RAF_init_y: July 1 of y - 1 to June 30 of y. */
  initial: ServiceWindow;
  /** RAF_y: January 1 to December 31 of y (mid-year and final runs). */
  midYear: ServiceWindow;
}

export function paymentWindows(serviceYear: number): PaymentWindows {
  return {
    serviceYear,
    paymentYear: serviceYear + 1,
    initial: { from: `${serviceYear - 1}-07-01`, to: `${serviceYear}-06-30` },
    midYear: { from: `${serviceYear}-01-01`, to: `${serviceYear}-12-31` },
  };
}

/**
 * The submission deadline each of service year y's windows honours, from CMS's deadlines of
 * payment year y + 1: the July-June window (RAF_init_y, the initial run) counts data received by
 * the initial deadline; the calendar-year window (RAF_y, standing for the final run) by the final
 * deadline. null when `deadlines` has no row for payment year y + 1: no deadline is applied.
 */
export function windowDeadlines(serviceYear: number, deadlines: readonly SubmissionDeadlines[]): { initial: string | null; midYear: string | null } {
  const row = deadlines.find((d) => d.paymentYear === serviceYear + 1);
  return { initial: row?.initial ?? null, midYear: row?.final ?? null };
}

/** The service years whose windows a date of service falls in: [mid-year, initial]. */
export function windowsOfDate(dateOfService: string): { midYear: number; initial: number } {
  const m = /^(\d{4})-(\d{2})-\d{2}$/.exec(dateOfService);
  if (!m) throw new ConfigError(`expected a date YYYY-MM-DD, found "${dateOfService}"`);
  const year = Number(m[1]);
  return { midYear: year, initial: Number(m[2]) >= 7 ? year + 1 : year };
}

/** Dollars as whole cents, to add and subtract exactly. */
const cents = (dollars: number): number => Math.round(dollars * 100);

/**
 * The August lump sum of payment year y + 1, in dollars: 6 x (mid-year monthly payment - initial
 * monthly payment), each monthly payment being payment score x base rate / 12 rounded to the cent
 * (revenue's PMPM). Positive when the sweep found more than the initial run, negative when less.
 */
export function augustLumpSum(initialPaymentScore: number, midYearPaymentScore: number, annualBaseRate: number): number {
  const init = cents(revenue(initialPaymentScore, annualBaseRate).pmpm);
  const mid = cents(revenue(midYearPaymentScore, annualBaseRate).pmpm);
  return (6 * (mid - init)) / 100;
}

export interface ScheduledPayment {
  /** YYYY-MM of the payment. */
  month: string;
  amount: number;
  run: 'initial' | 'mid-year' | 'lump sum' | 'final reconciliation';
}

/**
 * What the plan is paid for the member over payment year y + 1 (and the reconciliation after):
 * January-June at the initial monthly rate, July-December at the mid-year rate, the August lump
 * sum, and, when the final score is given, 12 x the monthly difference from the mid-year rate
 * (CMS settles it in the year after; dated here August of y + 2).
 */
export function paymentSchedule(
  serviceYear: number,
  scores: { initial: number; midYear: number; final?: number },
  annualBaseRate: number,
): ScheduledPayment[] {
  const py = serviceYear + 1;
  const init = revenue(scores.initial, annualBaseRate).pmpm;
  const mid = revenue(scores.midYear, annualBaseRate).pmpm;
  const out: ScheduledPayment[] = [];
  for (let month = 1; month <= 12; month++) {
    const label = `${py}-${String(month).padStart(2, '0')}`;
    out.push({ month: label, amount: month <= 6 ? init : mid, run: month <= 6 ? 'initial' : 'mid-year' });
    if (month === 8) out.push({ month: label, amount: augustLumpSum(scores.initial, scores.midYear, annualBaseRate), run: 'lump sum' });
  }
  if (scores.final !== undefined) {
    const fin = cents(revenue(scores.final, annualBaseRate).pmpm);
    out.push({ month: `${py + 1}-08`, amount: (12 * (fin - cents(mid))) / 100, run: 'final reconciliation' });
  }
  return out;
}
