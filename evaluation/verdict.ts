// The evaluation's plain-words verdict: the model's list against the naive list (top 20% by
// RAF_{T-1}), in dollars.
import { dollars } from './format.ts';
import type { ListEvaluation } from './evaluation-types.ts';

const total = (l: ListEvaluation): number => l.revenue.accelerated.total + l.revenue.incremental.total;

export function verdictOf(model: ListEvaluation, naive: ListEvaluation): string {
  return total(model) >= total(naive)
    ? `The model's list earns ${dollars(total(model))} (accelerated ${dollars(model.revenue.accelerated.total)}, incremental ${dollars(model.revenue.incremental.total)}), ` +
        `at least the naive list's ${dollars(total(naive))}.`
    : `The model's list earns less than the naive list: ${dollars(total(model))} against ${dollars(total(naive))} ` +
        `(accelerated ${dollars(model.revenue.accelerated.total)} against ${dollars(naive.revenue.accelerated.total)}, incremental ${dollars(model.revenue.incremental.total)} against ${dollars(naive.revenue.incremental.total)}).`;
}
