// The report's charts: which lists it shows (every model's, then the baselines), their colours,
// and Vega-Lite specifications rendered to inline SVG in Node by Vega (no browser, no canvas).
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Evaluation, ListEvaluation } from './evaluation-types.ts';
import { listLabel } from './format.ts';

const MODEL_COLORS = ['#1f6feb', '#8250df', '#0a3069', '#bf3989', '#1b7c83'];
const LIST_COLORS: Record<string, string> = { dollars: '#cf222e', naive: '#8b949e', analyst: '#bc4c00', perfect: '#2da44e', ceiling: '#116329', external: '#6e7781' };

export async function svg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const out = await view.toSVG();
  view.finalize();
  return out;
}

/** A list as the report shows it: each model's list under its model's name, the others once. */
export interface Shown {
  /** Unique: the model's name (mlp, logistic) or the list's (naive, analyst, perfect, external). */
  key: string;
  label: string;
  color: string;
  list: ListEvaluation;
}

/** Every model's list (one per evaluation), then the first evaluation's other lists. */
export function shownLists(evaluations: readonly Evaluation[]): Shown[] {
  const shown: Shown[] = [];
  const keys = new Set<string>();
  evaluations.forEach((e, k) => {
    const model = e.lists.find((l) => l.name === 'model');
    if (model === undefined) return;
    const key = keys.has(e.run.model) ? e.run.id : e.run.model;
    keys.add(key);
    shown.push({ key, label: `the ${key} model's list`, color: MODEL_COLORS[k % MODEL_COLORS.length]!, list: model });
  });
  for (const l of evaluations[0]?.lists ?? []) {
    if (l.name === 'model' || keys.has(l.name)) continue;
    keys.add(l.name);
    shown.push({ key: l.name, label: listLabel(l.name), color: LIST_COLORS[l.name] ?? '#57606a', list: l });
  }
  return shown;
}

export const colorScale = (lists: readonly Shown[]) => ({ domain: lists.map((l) => l.key), range: lists.map((l) => l.color) });

export function lineChart(title: string, lists: readonly Shown[], y: string, values: Record<string, unknown>[], format = '.2f'): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 240,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'top share of members', axis: { format: '.0%' } },
      y: { field: y, type: 'quantitative', title: y, axis: { format } },
      color: { field: 'list', type: 'nominal', scale: colorScale(lists) },
    },
  } as TopLevelSpec;
}

