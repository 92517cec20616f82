// The evaluation's plain-words verdict: a list (the model's) against each baseline list (last
// year's top 20%, the analyst's, any other by name), in dollars, with the differences signed.
// Accelerated and incremental revenue are different kinds of money (DOMAIN.md section 4:
// accelerated arrives anyway, 7 months later; incremental is never received) and are never added
// into one figure: each is compared on its own.
import { dollars, listLabel, listLabelCapitalized, signedDollars } from './format.ts';
import type { ListEvaluation } from './evaluation-types.ts';
import { MONTHS_EARLIER } from './revenue.ts';

/** One list against one baseline, by kind of money: difference = list - baseline. */
export interface Comparison {
  list: string;
  baseline: string;
  accelerated: { list: number; baseline: number; difference: number };
  /** Null figures, with the reason, when incremental revenue is not measurable. */
  incremental: { list: number | null; baseline: number | null; difference: number | null; notMeasurable: string | null };
}

/** In cents, so that the difference is exact to the cent. */
const diff = (a: number, b: number): number => (Math.round(a * 100) - Math.round(b * 100)) / 100;

export function compareLists(list: ListEvaluation, baseline: ListEvaluation): Comparison {
  const a = list.revenue.incremental.total;
  const b = baseline.revenue.incremental.total;
  return {
    list: list.name,
    baseline: baseline.name,
    accelerated: { list: list.revenue.accelerated.total, baseline: baseline.revenue.accelerated.total, difference: diff(list.revenue.accelerated.total, baseline.revenue.accelerated.total) },
    incremental:
      a === null || b === null
        ? { list: a, baseline: b, difference: null, notMeasurable: list.revenue.incremental.notMeasurable ?? baseline.revenue.incremental.notMeasurable ?? 'not measurable' }
        : { list: a, baseline: b, difference: diff(a, b), notMeasurable: null },
  };
}

const outcome = (d: number): string => (d > 0 ? 'beats' : d < 0 ? 'loses to' : 'ties with');

/** One sentence or two per comparison. */
export function comparisonSentence(c: Comparison): string {
  const who = listLabelCapitalized(c.list);
  const base = listLabel(c.baseline);
  const acc = `${signedDollars(c.accelerated.difference)} accelerated (${dollars(c.accelerated.list)} against ${dollars(c.accelerated.baseline)}: dollars paid in January instead of August, ${MONTHS_EARLIER} months earlier)`;
  const inc = c.incremental;
  if (inc.difference === null) {
    return `${who} against ${base}: ${acc}; incremental revenue not measurable (${inc.notMeasurable}). ${who} ${outcome(c.accelerated.difference)} ${base} on accelerated revenue; incremental revenue cannot be compared.`;
  }
  const line = `${who} against ${base}: ${acc}, ${signedDollars(inc.difference)} incremental (${dollars(inc.list!)} against ${dollars(inc.baseline!)}: dollars gained).`;
  const [oa, oi] = [outcome(c.accelerated.difference), outcome(inc.difference)];
  return oa === oi ? `${line} ${who} ${oa} ${base} on both.` : `${line} ${who} ${oa} ${base} on accelerated revenue and ${oi} it on incremental revenue.`;
}

/** The verdict: the comparisons' sentences, in the order given. */
export function verdictText(comparisons: readonly Comparison[]): string {
  return comparisons.map(comparisonSentence).join(' ');
}

/** The verdict of `list` against every baseline, in the order given. */
export function verdictOf(list: ListEvaluation, baselines: readonly ListEvaluation[]): string {
  return verdictText(baselines.map((b) => compareLists(list, b)));
}
