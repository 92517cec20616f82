// What a run with a data cut-off reads (issue 15, "what is known on January 1"): the service
// years of the history as known on the cut-off that the features of as-of T read, and the cut-off
// of the features a model is trained on. A model applied at T with cut-off C is trained at T-1 on
// features cut one year earlier, as incomplete as those it meets at T, with its label RAF_{T-1} as
// known on C. Light (no engine): the queue's producer reads it.
import { parseCutoff } from '../data/received-by.ts';

/**
 * The cut-off of the features a model is trained on at T-1 when it is applied at T with cut-off
 * `cutoff`: the same day one year earlier (February 29 becomes February 28).
 */
export function trainingCutoff(cutoff: string): string {
  const [y, m, d] = parseCutoff(cutoff).split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y - 1, m, 0)).getUTCDate();
  return `${y - 1}-${String(m).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

/**
 * The service years the features of as-of T read (T-2 and T-1), within the data's years when
 * known; data holding neither year gives its first year alone (the features then find no row of
 * T-2 or T-1 and mark every member missing). `throughAsOf`: T-2 to T, T as far as it is known on
 * the cut-off (the suspects of issue 17 need what is already coded in T).
 */
export function knownHistoryYears(asOf: number, dataYears?: readonly [number, number], throughAsOf = false): [number, number] {
  let first = asOf - 2;
  let last = throughAsOf ? asOf : asOf - 1;
  if (dataYears !== undefined) {
    first = Math.max(first, dataYears[0]);
    last = Math.min(last, dataYears[1]);
    if (last < first) return [dataYears[0], dataYears[0]];
  }
  return [first, last];
}

/** The feature tables a run at as-of T with cut-off C builds: T-1's (training) cut at C - 1 year, and T's cut at C. */
export function runFeatureCutoffs(asOf: number, cutoff: string): { asOf: number; dataThrough: string }[] {
  return [
    { asOf: asOf - 1, dataThrough: trainingCutoff(cutoff) },
    { asOf, dataThrough: parseCutoff(cutoff) },
  ];
}

/**
 * The as-of years whose histories as known on the cut-off the expected dollars read at as-of T
 * (evaluation/known-on-cutoff.ts): T's (years T-2 and T-1: the open HCCs, RAF_{T-1}) and T-2's
 * (years T-4 and T-3: the dollar model's fit).
 */
export const dollarsKnownHistoryYears = (asOf: number): [number, number] => [asOf, asOf - 2];
