// Classification metrics for a ranked list (DOMAIN.md section 4): precision, recall and F1 of the
// top share, ROC AUC, and lift by decile. A list is the members ordered by score, highest first;
// ties are broken by the order given (callers sort ties by member id), so results are exact.

export interface TopShareMetrics {
  /** Members in the list: round(share x n). */
  listSize: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface DecileRow {
  /** 1 = the highest scores. */
  decile: number;
  members: number;
  positives: number;
  rate: number;
  /** rate / the overall rate. */
  lift: number;
  /** Share of all positives found in deciles 1..this one. */
  cumulativeGain: number;
}

export interface ListMetrics extends TopShareMetrics {
  members: number;
  positives: number;
  auc: number;
  deciles: DecileRow[];
}

/** Indexes ordered by score, highest first; equal scores keep their given order. */
export function rankOrder(scores: ArrayLike<number>): Int32Array {
  const idx = Int32Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return idx;
}

/** The size of a top-share list: round(share x n), at least 1 when n > 0. */
export function listSize(n: number, share: number): number {
  if (!(share > 0 && share <= 1)) throw new RangeError(`the list share must be in (0, 1], found ${share}`);
  return n === 0 ? 0 : Math.max(1, Math.round(share * n));
}

/** Precision, recall and F1 of the top `share` by score against 0/1 labels. */
export function topShareMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>, share: number, order: Int32Array = rankOrder(scores)): TopShareMetrics {
  const k = listSize(scores.length, share);
  let hits = 0;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i]!;
  for (let r = 0; r < k; r++) hits += labels[order[r]!]!;
  const precision = k === 0 ? 0 : hits / k;
  const recall = positives === 0 ? 0 : hits / positives;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { listSize: k, precision, recall, f1 };
}

/**
 * Precision, recall and F1 of a list given by membership (`inList[i]` = 1 for a listed member)
 * against 0/1 labels, whatever its size: a list made elsewhere is evaluated as given, not cut to
 * a top share. `listSize` is the number listed.
 */
export function listedMetrics(inList: ArrayLike<number>, labels: ArrayLike<number>): TopShareMetrics {
  let listed = 0;
  let hits = 0;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    positives += labels[i]!;
    if (inList[i] === 1) {
      listed++;
      hits += labels[i]!;
    }
  }
  const precision = listed === 0 ? 0 : hits / listed;
  const recall = positives === 0 ? 0 : hits / positives;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { listSize: listed, precision, recall, f1 };
}

/**
 * ROC AUC by the rank-sum (Mann-Whitney) statistic, tied scores counting one half: the chance
 * that a random positive scores above a random negative. `order` is rankOrder(scores), read from
 * its end (lowest first); equal scores form one group whatever their order inside it.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>, order: Int32Array = rankOrder(scores)): number {
  const n = scores.length;
  const at = (r: number): number => order[n - 1 - r]!;
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[at(j + 1)] === scores[at(i)]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let q = i; q <= j; q++) {
      if (labels[at(q)] === 1) {
        rankSum += midRank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Lift and cumulative gain by decile of score (deciles as equal as whole members allow). */
export function decileTable(scores: ArrayLike<number>, labels: ArrayLike<number>, order: Int32Array = rankOrder(scores)): DecileRow[] {
  const n = order.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += labels[i]!;
  const overall = n === 0 ? 0 : total / n;
  const rows: DecileRow[] = [];
  let found = 0;
  for (let d = 0; d < 10; d++) {
    const from = Math.round((d * n) / 10);
    const to = Math.round(((d + 1) * n) / 10);
    let positives = 0;
    for (let r = from; r < to; r++) positives += labels[order[r]!]!;
    found += positives;
    const members = to - from;
    const rate = members === 0 ? 0 : positives / members;
    rows.push({ decile: d + 1, members, positives, rate, lift: overall === 0 ? 0 : rate / overall, cumulativeGain: total === 0 ? 0 : found / total });
  }
  return rows;
}

export function listMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>, share: number): ListMetrics {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i]!;
  // One sort for the three (a second each is 0.7 s at a million members).
  const order = rankOrder(scores);
  return {
    members: scores.length,
    positives,
    ...topShareMetrics(scores, labels, share, order),
    auc: rocAuc(scores, labels, order),
    deciles: decileTable(scores, labels, order),
  };
}

/** The decile (1 = highest) of each member by score. */
export function decilesOf(scores: ArrayLike<number>, order: Int32Array = rankOrder(scores)): Uint8Array {
  const n = order.length;
  const out = new Uint8Array(n);
  for (let d = 0; d < 10; d++) {
    for (let r = Math.round((d * n) / 10); r < Math.round(((d + 1) * n) / 10); r++) out[order[r]!] = d + 1;
  }
  return out;
}
