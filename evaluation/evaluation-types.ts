// What an evaluation holds (evaluation.json): the shape `rafcast evaluate` writes and
// `rafcast report` reads.
import type { ListMetrics } from '../models/metrics.ts';
import type { ListRevenue } from './revenue.ts';

export type ListName = 'model' | 'naive' | 'perfect';

/**
 * Every list an evaluation can hold: the model's, the two baselines (naive: top 20% by RAF_{T-1},
 * new members last; analyst: RAF_{T-1}, new members at their demographic score), perfect
 * knowledge (generated data) and a list made elsewhere (`rafcast evaluate --list`).
 */
export type ListKind = ListName | 'analyst' | 'external';

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
  name: ListName;
  description: string;
  metrics: ListMetrics;
  revenue: ListRevenue;
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
  c: number;
  listSize: number;
  lists: ListEvaluation[];
  /** Model against naive, in plain words. */
  verdict: string;
}
