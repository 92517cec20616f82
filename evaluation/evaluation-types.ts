// What an evaluation holds (evaluation.json): the shape `rafcast evaluate` writes and
// `rafcast report` reads.
import type { ListMetrics } from '../models/metrics.ts';
import type { AssumedEnrollment } from './enrolled-months.ts';
import type { ListRevenue } from './revenue.ts';
import type { Comparison } from './verdict.ts';

export type ListName = 'model' | 'naive' | 'perfect';

export interface ListEvaluation {
  name: ListName;
  description: string;
  metrics: ListMetrics;
  revenue: ListRevenue;
}

export interface Evaluation {
  asOf: number;
  paymentYear: number;
  annualBaseRate: number;
  run: { id: string; model: string; seed: number; backend: string; fingerprint: string };
  truthFingerprint: string | null;
  members: number;
  /** Members with RAF_T and RAF_{T+1}: the population of c. */
  withBothYears: number;
  /**
   * The growth ratio c = mean(RAF_{T+1}) / mean(RAF_T) over the withBothYears members with both
   * scores; null when not measurable (cNotMeasurable says why).
   */
  c: number | null;
  /** Why c (and with it incremental revenue) is not measurable, else null. */
  cNotMeasurable?: string | null;
  /**
   * Null when the data has enrollment for payment year T+1; else the assumption the months paid
   * in T+1 rest on (members enrolled and alive on December 31 of T continue) and whom it covers.
   */
  enrollmentAssumed?: AssumedEnrollment | null;
  listSize: number;
  lists: ListEvaluation[];
  /** The model's list against each baseline list, in plain words (verdict.ts). */
  verdict: string;
  /** The same comparisons as figures: accelerated and incremental apart, differences signed. */
  comparisons?: Comparison[];
}
