// The two orders of the January list (issue 15 part 2): by the model's probability of the top 20%
// of RAF_T (the paper's list, the default), or by the expected dollars of early documentation
// (evaluation/member-dollars.ts: expected accelerated + the documentable share of expected
// incremental, from data before T). A member with no open HCC expects $0 and ranks after every
// member who expects something; ties in dollars go to the higher probability, then to member order.
import { rankOrder } from '../models/metrics.ts';

export const RANK_BY = ['probability', 'dollars'] as const;
export type RankBy = (typeof RANK_BY)[number];

/** Row indexes, best first, by expected dollars (in cents), then probability, then row order. */
export function dollarsOrder(dollars: ArrayLike<number>, prob: ArrayLike<number>): Int32Array {
  const idx = Array.from({ length: dollars.length }, (_, i) => i);
  const cents = Float64Array.from({ length: dollars.length }, (_, i) => Math.round(dollars[i]! * 100));
  idx.sort((a, b) => cents[b]! - cents[a]! || prob[b]! - prob[a]! || a - b);
  return Int32Array.from(idx);
}

/** The list's order under `rankBy`. */
export function listOrder(rankBy: RankBy, dollars: ArrayLike<number>, prob: ArrayLike<number>): Int32Array {
  return rankBy === 'dollars' ? dollarsOrder(dollars, prob) : Int32Array.from(rankOrder(prob));
}

/**
 * A score whose rankOrder is `order` (evaluation/lists.ts ranks every list by a score): n for the
 * first, 1 for the last.
 */
export function scoreOfOrder(order: ArrayLike<number>): Float64Array {
  const s = new Float64Array(order.length);
  for (let r = 0; r < order.length; r++) s[order[r]!] = order.length - r;
  return s;
}
