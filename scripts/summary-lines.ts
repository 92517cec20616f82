// Lines of the commands' summaries that several commands print: a list's metrics and a backtest
// (rafcast train, predict), an evaluation's c, lists and verdict (rafcast evaluate, run).
import type { Evaluation, ListEvaluation } from '../evaluation/evaluation-types.ts';
import { dollars, percent } from '../evaluation/format.ts';
import type { ListMetrics } from '../models/metrics.ts';
import type { Backtest } from '../models/run-registry.ts';

export function metricsLines(label: string, m: ListMetrics): string[] {
  return [
    `${label.padEnd(8)} precision@20% ${percent(m.precision)}  recall ${percent(m.recall)}  F1 ${percent(m.f1)}  AUC ${m.auc.toFixed(3)}  ` +
      `lift by decile ${m.deciles.map((d) => d.lift.toFixed(2)).join(' ')}`,
  ];
}

export function backtestLines(b: Backtest | null, model: string): string[] {
  if (b === null) return ['no backtest: the history has no RAF for the as-of year'];
  return [
    `backtest at as-of ${b.asOf} (${b.members} members, top 20% of RAF_${b.asOf}):`,
    ...metricsLines(model, b.model),
    ...metricsLines('naive', b.naive),
  ];
}

/** c with its population, or why it is not measurable; and the enrollment assumption, when one was made. */
export function growthLines(e: Evaluation): string[] {
  const T = e.asOf;
  return [
    e.c === null
      ? `c (growth ratio) not measurable: ${e.cNotMeasurable ?? `no RAF_${T + 1}`}; incremental revenue not measurable`
      : `c (growth ratio) = ${e.c.toFixed(4)}: mean RAF_${T + 1} / mean RAF_${T} over the ${e.withBothYears.toLocaleString('en-US')} members with both years`,
    ...(e.enrollmentAssumed ? [`months paid in ${e.enrollmentAssumed.paymentYear}: ${e.enrollmentAssumed.assumption} (${e.enrollmentAssumed.members.toLocaleString('en-US')} members)`] : []),
  ];
}

/** A list's precision, AUC, accelerated (moved to January) and incremental (gained) dollars, never added. */
export function listLine(label: string, l: ListEvaluation, asOf: number): string {
  const inc = l.revenue.incremental;
  const incremental =
    inc.total === null
      ? `incremental not measurable`
      : `incremental ${dollars(inc.total)} gained (${inc.members} members: ${percent(inc.share!)} of the list, ${percent(inc.shareOfBothYears!)} of its ${inc.withBothYears} with RAF_${asOf + 1})`;
  return (
    `${label.padEnd(8)} precision@20% ${percent(l.metrics.precision)}  AUC ${l.metrics.auc.toFixed(3)}  ` +
    `accelerated ${dollars(l.revenue.accelerated.total)} moved to January (${l.revenue.accelerated.members} members)  ${incremental}`
  );
}

/** Every model's list and verdict, the baselines and perfect knowledge once (from `first`), c, the time and the report. */
export function runSummaryLines(evaluations: Record<string, Evaluation>, first: string, started: number, report: string): string[] {
  const lines: string[] = [];
  const head = evaluations[first] ?? Object.values(evaluations)[0];
  if (head !== undefined) lines.push(...growthLines(head));
  for (const [model, e] of Object.entries(evaluations)) {
    for (const l of e.lists) {
      if (l.name !== 'model' && model !== first) continue;
      lines.push(listLine(l.name === 'model' ? model : l.name, l, e.asOf));
    }
  }
  for (const [model, e] of Object.entries(evaluations)) lines.push(`${model}: ${e.verdict}`);
  lines.push(`${((performance.now() - started) / 1000).toFixed(1)} s; the report: ${report}`);
  return lines;
}
