// The lists of a backtest and their classification metrics (DOMAIN.md section 4), over all
// members and over continuing and new members apart.
//
// A list is the members ordered by its score, highest first, ties in member order (rankOrder):
// the model's, naive and analyst's and perfect-knowledge lists take the top 20% of members; a
// list made elsewhere (--list) is taken as given, whatever its size.
//
// The label is the same for every group: RAF_T in the top 20% of RAF_T over all members. Per
// group G (continuing: with RAF_{T-1}; new: without) and list L:
// - precision = |L in G, in the top 20% overall| / |L in G|: the share of the list's members in
//   the group who are in the true top 20% overall (not a top 20% cut within the group);
// - recall = the same count / the group's members in the top 20% overall;
// - AUC = ROC AUC of the list's score among the group's members, against the same label.
// Members with no RAF_T (no label) are in no figure, as in the overall metrics.
import { knownRows } from '../models/dataset.ts';
import { listedMetrics, listMetrics, rankOrder, rocAuc, type ListMetrics } from '../models/metrics.ts';
import type { GroupMetrics, ListGroups, ListKind } from './evaluation-types.ts';

/** A list to evaluate: its score per member and how many members it holds. */
export interface CandidateList {
  name: ListKind;
  description: string;
  /** Per member (feature row order); higher ranks first. */
  score: Float64Array;
  /** Members listed: the top share's size, or an external list's own. */
  size: number;
  /** Precision, recall and F1 of the list as given (an external list), not of the top share. */
  asGiven?: boolean;
}

export interface EvaluatedList {
  name: ListKind;
  description: string;
  metrics: ListMetrics;
  groups: ListGroups;
  /** Listed members' row indexes, in rank order. */
  list: number[];
}

/** A group's figures for one list (see the file's head); `inGroup[i]` = 1 for the group's members. */
export function groupMetrics(score: ArrayLike<number>, labels: ArrayLike<number>, inList: ArrayLike<number>, inGroup: ArrayLike<number>): GroupMetrics {
  const s: number[] = [];
  const y: number[] = [];
  let listed = 0;
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    if (inGroup[i] !== 1 || labels[i] === 255) continue;
    s.push(score[i]!);
    y.push(labels[i]!);
    if (inList[i] === 1) {
      listed++;
      hits += labels[i]!;
    }
  }
  const positives = y.reduce((a, b) => a + b, 0);
  const auc = rocAuc(s, y);
  return {
    members: y.length,
    positives,
    listed,
    hits,
    precision: listed === 0 ? null : hits / listed,
    recall: positives === 0 ? null : hits / positives,
    auc: Number.isNaN(auc) ? null : auc,
  };
}

/**
 * Every list's members and metrics. `labels`: 1 in the top `share` of RAF_T, 0 not, 255 no RAF_T;
 * `isNew[i]` = 1 for a member with no RAF_{T-1}.
 */
export function evaluateLists(lists: readonly CandidateList[], labels: Uint8Array, isNew: ArrayLike<number>, share: number): EvaluatedList[] {
  const known = knownRows(labels);
  const y = Uint8Array.from(known, (i) => labels[i]!);
  const continuing = Uint8Array.from({ length: labels.length }, (_, i) => (isNew[i] === 1 ? 0 : 1));
  const fresh = Uint8Array.from({ length: labels.length }, (_, i) => (isNew[i] === 1 ? 1 : 0));
  return lists.map(({ name, description, score, size, asGiven }) => {
    const list = Array.from(rankOrder(score).subarray(0, size));
    const inList = new Uint8Array(labels.length);
    for (const i of list) inList[i] = 1;
    const s = Float64Array.from(known, (i) => score[i]!);
    const all = listMetrics(s, y, share);
    const metrics = asGiven === true ? { ...all, ...listedMetrics(Uint8Array.from(known, (i) => inList[i]!), y) } : all;
    return {
      name,
      description,
      metrics,
      groups: { continuing: groupMetrics(score, labels, inList, continuing), new: groupMetrics(score, labels, inList, fresh) },
      list,
    };
  });
}
