// The latent conditions of the synthetic population, at CMS-HCC grain (V28 payment HCCs): how
// common each is at ages 70-79, how that changes with age and sex, whether it persists, and the
// ICD-10-CM codes a provider writes for it. Named groups (diabetes, heart failure, CKD, ...)
// carry the prevalence of data/synthetic/targets.ts split over severity levels; every other
// payment HCC gets a low rate that falls with its cost. Codes come from the reference mapping.
import type { ModelTables } from '../reference/cms-hcc-tables.ts';

export interface ConditionGroup {
  name: string;
  /** Prevalence at ages 70-79 (men and women together) of the group as a whole. */
  prevalence: number;
  /** Severity levels: HCC and its share of the group; a member holds one level at a time. */
  levels: readonly { hcc: number; share: number }[];
  /** Prevalence multiplier per decade of age above 75 (below for younger members). */
  agePerDecade: number;
  /** Multiplier for members under 65 (entitled by disability). */
  disabled: number;
  femaleFactor: number;
  /** Chance a member with the condition still has it next year. */
  persistence: number;
  /** Acute: comes with an inpatient stay most of the time. */
  acute: boolean;
  /** Target key in TARGETS.prevalence, for calibration. */
  target?: string;
  /** One of the named groups (the conditions issue 3 lists, and dementia). */
  named: boolean;
}

const MENTAL = new Set([135, 136, 137, 138, 139, 151, 152, 153, 154, 155]);
const ACUTE = new Set([2, 6, 78, 92, 195, 202, 212, 213, 224, 225, 228, 229, 248, 249, 267, 282, 283, 385, 397, 398, 399, 401, 402, 405]);

/** The named groups: the conditions issue 3 lists, with their CMS-HCC severity levels. */
const NAMED: readonly Omit<ConditionGroup, 'named'>[] = [
  { name: 'diabetes', target: 'diabetes', prevalence: 0.27, levels: [{ hcc: 38, share: 0.55 }, { hcc: 37, share: 0.42 }, { hcc: 36, share: 0.03 }], agePerDecade: 1.0, disabled: 0.9, femaleFactor: 0.9, persistence: 0.97, acute: false },
  { name: 'heart failure', target: 'heartFailure', prevalence: 0.13, levels: [{ hcc: 226, share: 0.8 }, { hcc: 224, share: 0.1 }, { hcc: 225, share: 0.05 }, { hcc: 222, share: 0.05 }], agePerDecade: 1.9, disabled: 0.6, femaleFactor: 0.9, persistence: 0.92, acute: false },
  { name: 'COPD', target: 'copd', prevalence: 0.11, levels: [{ hcc: 280, share: 1 }], agePerDecade: 1.2, disabled: 1.1, femaleFactor: 1.0, persistence: 0.94, acute: false },
  { name: 'CKD stage 3-5', target: 'ckdStage3Plus', prevalence: 0.12, levels: [{ hcc: 329, share: 0.6 }, { hcc: 328, share: 0.25 }, { hcc: 327, share: 0.1 }, { hcc: 326, share: 0.05 }], agePerDecade: 1.8, disabled: 0.6, femaleFactor: 1.0, persistence: 0.95, acute: false },
  { name: 'vascular disease', target: 'vascularDisease', prevalence: 0.06, levels: [{ hcc: 264, share: 0.85 }, { hcc: 263, share: 0.15 }], agePerDecade: 1.4, disabled: 0.7, femaleFactor: 0.8, persistence: 0.9, acute: false },
  { name: 'arrhythmia', target: 'arrhythmia', prevalence: 0.1, levels: [{ hcc: 238, share: 1 }], agePerDecade: 1.9, disabled: 0.4, femaleFactor: 0.8, persistence: 0.93, acute: false },
  { name: 'major depression or bipolar', target: 'majorDepressionOrBipolar', prevalence: 0.06, levels: [{ hcc: 155, share: 0.8 }, { hcc: 154, share: 0.2 }], agePerDecade: 0.8, disabled: 2, femaleFactor: 1.5, persistence: 0.85, acute: false },
  { name: 'cancer', target: 'cancer', prevalence: 0.08, levels: [{ hcc: 23, share: 0.45 }, { hcc: 22, share: 0.2 }, { hcc: 21, share: 0.12 }, { hcc: 20, share: 0.1 }, { hcc: 19, share: 0.05 }, { hcc: 18, share: 0.04 }, { hcc: 17, share: 0.04 }], agePerDecade: 1.3, disabled: 0.6, femaleFactor: 0.9, persistence: 0.8, acute: false },
  { name: 'dementia', prevalence: 0.08, levels: [{ hcc: 127, share: 0.6 }, { hcc: 126, share: 0.25 }, { hcc: 125, share: 0.15 }], agePerDecade: 3, disabled: 0.2, femaleFactor: 1.3, persistence: 0.97, acute: false },
];

/**
 * All groups for a model's tables: the named ones, then one group per other payment HCC at a
 * rate of 0.16% / factor (a 0.3 factor: 0.53%; a 2.0 factor: 0.08%), from 0.02% to 1.5%.
 */
export function conditionGroups(t: ModelTables): ConditionGroup[] {
  const named = new Set(NAMED.flatMap((g) => g.levels.map((l) => l.hcc)));
  const groups: ConditionGroup[] = NAMED.map((g) => ({ ...g, named: true }));
  for (const hcc of t.paymentHccs) {
    if (named.has(hcc)) continue;
    const factor = t.coefficients.get(`CNA_HCC${hcc}`) ?? 0.5;
    groups.push({
      name: t.labels.get(hcc) ?? `HCC${hcc}`,
      prevalence: Math.min(0.015, Math.max(0.0002, 0.0016 / factor)),
      levels: [{ hcc, share: 1 }],
      agePerDecade: 1.3,
      disabled: MENTAL.has(hcc) ? 4 : 1,
      femaleFactor: hcc === 111 ? 0 : 1,
      persistence: ACUTE.has(hcc) ? 0.1 : 0.9,
      acute: ACUTE.has(hcc),
      named: false,
    });
  }
  return groups;
}

/**
 * Codes a provider may write for each HCC: codes mapped to that HCC alone, in the given tables
 * and every other table given (so a code means the same in each service year), and listed in no
 * age/sex edit.
 */
export function codesByHcc(t: ModelTables, alsoIn: readonly ModelTables[] = []): Map<number, string[]> {
  const edited = new Set(t.ageSexEdits.flatMap((e) => [...e.codes]));
  const out = new Map<number, string[]>();
  for (const [code, ccs] of t.dxToCc) {
    if (ccs.length !== 1 || edited.has(code)) continue;
    if (!alsoIn.every((o) => o.dxToCc.get(code)?.length === 1 && o.dxToCc.get(code)![0] === ccs[0])) continue;
    const list = out.get(ccs[0]!) ?? [];
    list.push(code);
    out.set(ccs[0]!, list);
  }
  for (const list of out.values()) list.sort();
  return out;
}

/** Common codes that map to no payment HCC: hypertension, lipids, check-ups, symptoms. */
export const OTHER_CODES = ['I10', 'E785', 'Z0000', 'Z0001', 'E039', 'K219', 'M170', 'M5450', 'R0602', 'N390', 'R51', 'Z23', 'J069', 'M1990', 'H2513', 'E559', 'R739', 'G4733'];
