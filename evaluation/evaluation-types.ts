// What an evaluation holds (evaluation.json): the shape `rafcast evaluate` writes and
// `rafcast report` reads.
import type { ListMetrics } from '../models/metrics.ts';
import type { ListRevenue } from './revenue.ts';

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
  c: number;
  listSize: number;
  lists: ListEvaluation[];
  /** Model against naive, in plain words. */
  verdict: string;
}
