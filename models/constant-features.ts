// A feature with one value over a model's training rows but other values where the model is
// applied (issue 15: DE-SynPUF's data start in 2008, so at as-of 2009 no member has a T-2 year
// and raf_t2 is 0 for all, while at 2010 every member has one). The model learnt nothing from
// such a feature, and its weight on it is whatever the initialisation left: classifier.ts's
// standardize neutralises it (0 after standardisation, as at training). This finds them, to warn
// by name and record in the run.
import type { Matrix, Standardization } from './standardization.ts';

export interface NeutralisedFeature {
  name: string;
  /** The one value the training rows had. */
  trainedValue: number;
  /** Rows where the model is applied whose value differs from it. */
  rowsDiffering: number;
  min: number;
  max: number;
}

/** The features constant at training (by the standardisation fitted on the fit rows). */
export function constantFeatures(s: Standardization, names: readonly string[]): string[] {
  return names.filter((_, j) => s.constant?.[j] === true);
}

/** The features constant at training whose value differs in some rows of x (columns as `names`). */
export function neutralisedFeatures(s: Standardization, names: readonly string[], x: Matrix): NeutralisedFeature[] {
  const out: NeutralisedFeature[] = [];
  names.forEach((name, j) => {
    if (s.constant?.[j] !== true) return;
    const v = s.mean[j]!;
    let differing = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < x.rows; i++) {
      const a = x.values[i * x.cols + j]!;
      if (Math.fround(a) !== Math.fround(v)) differing++;
      if (a < min) min = a;
      if (a > max) max = a;
    }
    if (differing > 0) out.push({ name, trainedValue: v, rowsDiffering: differing, min, max });
  });
  return out;
}

/** The warning for a run's log: which features, what they were at training, how many rows differ. */
export function neutralisedWarning(features: readonly NeutralisedFeature[], trainedOn: number, asOf: number): string {
  const list = features.map((f) => `${f.name} (${f.trainedValue} for every member at ${trainedOn}; ${f.rowsDiffering} members differ, ${f.min} to ${f.max})`).join(', ');
  return `warning: ${features.length === 1 ? 'a feature' : `${features.length} features`} constant in the training rows but varying at as-of ${asOf}, neutralised (given the model's training value): ${list}`;
}
