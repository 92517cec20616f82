// What an evaluation holds (evaluation.json): the shape `rafcast evaluate` writes and
// `rafcast report` reads.
import type { ListMetrics } from '../models/metrics.ts';
import type { AssumedEnrollment } from './enrolled-months.ts';
import type { ListRevenue } from './revenue.ts';
import type { Comparison } from './verdict.ts';
import type { DollarModel } from './dollar-model.ts';

export type ListName = 'model' | 'dollars' | 'naive' | 'perfect' | 'ceiling';

/**
 * Every list an evaluation can hold: the model's (by probability) and the dollars-ranked list
 * (evaluation/dollars-ranking.ts), the two baselines (naive: top 20% by RAF_{T-1}, new members
 * last; analyst: RAF_{T-1}, new members at their demographic score), the references (perfect
 * knowledge of RAF_T's conditions, generated data only; the ceiling: the true accelerated +
 * incremental dollars of each member) and a list made elsewhere (`rafcast evaluate --list`).
 */
export type ListKind = ListName | 'analyst' | 'external';

/** The lists that are references, not baselines: never in a verdict, the denominators of `captured`. */
export const REFERENCE_LISTS: readonly ListKind[] = ['perfect', 'ceiling'];

/** A list's dollars as a share of a reference list's, by kind (null when the reference's is 0 or not measurable). */
export interface CapturedShare {
  accelerated: number | null;
  incremental: number | null;
}

/** What the model's and the dollars-ranked lists were expected to bring on January 1 (evaluation/member-dollars.ts), beside the measured revenue. */
export interface ExpectedDollars {
  accelerated: number;
  incremental: number;
}

/**
 * One group's figures for a list (evaluation/lists.ts): the label is the true top 20% of RAF_T
 * over all members, in every group.
 */
export interface GroupMetrics {
  /** The group's members with RAF_T. */
  members: number;
  /** Of them, in the top 20% of RAF_T over all members. */
  positives: number;
  /** The list's members in the group. */
  listed: number;
  /** Of them, in the top 20% overall. */
  hits: number;
  /** hits / listed: the share of the list's members in the group who are in the top 20% overall; null when none is listed. */
  precision: number | null;
  /** hits / positives; null when the group has no member in the top 20%. */
  recall: number | null;
  /** ROC AUC of the list's score within the group; null without both a positive and a negative. */
  auc: number | null;
}

/** Continuing members (with RAF_{T-1}) and new members (without), apart. */
export interface ListGroups {
  continuing: GroupMetrics;
  new: GroupMetrics;
}

export interface ListEvaluation {
  name: ListKind;
  description: string;
  metrics: ListMetrics;
  revenue: ListRevenue;
  /** The metrics on continuing and new members apart (evaluations before issue 14 have none). */
  groups?: ListGroups;
  /** The list's measured dollars as a share of each reference list's (perfect, ceiling), when the evaluation has it. */
  captured?: { perfect?: CapturedShare; ceiling?: CapturedShare };
  /** The expected dollars of the list's members, for the lists that carry them (model, dollars). */
  expected?: ExpectedDollars;
}

/** A list made elsewhere, as read (`rafcast evaluate --list`). Member ids are never kept here. */
export interface ExternalListSummary {
  /** The file's name (not its folder). */
  file: string;
  format: 'csv' | 'parquet';
  /** Data rows read = members evaluated + unknown. */
  rows: number;
  /** Rows whose member is a member of the plan at as-of T: the list's size as evaluated. */
  evaluated: number;
  /** Rows whose member id is not a member of the plan at as-of T: counted, not evaluated. */
  unknown: number;
  /** How the list is ordered: its rank column (lowest first, ties in file order) or the file's row order. */
  order: 'rank' | 'file';
  /** evaluated / the members at as-of T (the other lists hold 20%). */
  share: number;
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
  /** The list made elsewhere, when one was given (its figures are the list named 'external'). */
  externalList?: ExternalListSummary;
  /** The model's list against each baseline list, in plain words (verdict.ts). */
  verdict: string;
  /** The same comparisons as figures: accelerated and incremental apart, differences signed. */
  comparisons?: Comparison[];
  /** The dollar model behind the expected dollars and the dollars-ranked list (evaluation/dollar-model.ts), or why there is none. */
  dollarModel?: DollarModel | { notFitted: string };
}
