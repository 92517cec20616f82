// Lines of the commands' summaries that several commands print: a list's metrics and a backtest
// (rafcast train, predict), a run's lists and verdict (rafcast run).
import type { Evaluation } from '../evaluation/evaluation-types.ts';
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

/** The lists' precision, AUC and dollars (every model; the naive and perfect lists once), the verdict, the time and the report. */
export function runSummaryLines(evaluations: Record<string, Evaluation>, first: string, started: number, report: string): string[] {
  const lines: string[] = [];
  for (const [model, e] of Object.entries(evaluations)) {
    for (const l of e.lists) {
      if (l.name !== 'model' && model !== first) continue;
      lines.push(
        `${(l.name === 'model' ? model : l.name).padEnd(8)} precision@20% ${percent(l.metrics.precision)}  AUC ${l.metrics.auc.toFixed(3)}  accelerated ${dollars(l.revenue.accelerated.total)}  incremental ${dollars(l.revenue.incremental.total)}`,
      );
    }
    if (model === first) lines.push(e.verdict);
  }
  lines.push(`${((performance.now() - started) / 1000).toFixed(1)} s; the report: ${report}`);
  return lines;
}
