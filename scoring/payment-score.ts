// Step 7 of DOMAIN.md section 1: payment score = blend over models of round(raw / normalisation, 3),
// times (1 - MA coding pattern adjustment), rounded to 3 places. Factors are data keyed by payment
// year (derived/normalization_ma_adjustment_blend.csv); the caller may override any of them.
import { ConfigError } from '../data/errors.ts';
import { MODEL_VERSIONS, type ModelVersion, type PaymentFactorRow } from '../data/reference/cms-hcc-tables.ts';
import { roundHalfUp } from './rounding.ts';

export interface PaymentParameters {
  paymentYear: number;
  /** Blend weight per model; the weights sum to 1 and models with weight 0 are left out. */
  blend: Partial<Record<ModelVersion, number>>;
  normalization: Partial<Record<ModelVersion, number>>;
  codingAdjustment: number;
}

export interface PaymentOverrides {
  blend?: Partial<Record<ModelVersion, number>>;
  normalization?: Partial<Record<ModelVersion, number>>;
  codingAdjustment?: number;
}

/** The models a payment needs: those with a positive blend weight. */
export function blendedModels(params: PaymentParameters): ModelVersion[] {
  return MODEL_VERSIONS.filter((m) => (params.blend[m] ?? 0) > 0);
}

/**
 * The payment parameters of a payment year from the reference table, with the caller's overrides.
 * Throws ConfigError when a needed figure is missing or the blend does not sum to 1.
 */
export function resolvePaymentParameters(
  paymentYear: number,
  rows: readonly PaymentFactorRow[],
  overrides: PaymentOverrides = {},
): PaymentParameters {
  const yearRows = rows.filter((r) => r.paymentYear === paymentYear);
  let blend: Partial<Record<ModelVersion, number>>;
  if (overrides.blend !== undefined) {
    blend = { ...overrides.blend };
  } else {
    if (yearRows.length === 0) {
      const years = [...new Set(rows.map((r) => r.paymentYear))].sort();
      throw new ConfigError(
        `no blend weights for payment year ${paymentYear} (the table has ${years.join(', ')}); pass --blend, e.g. --blend V28=1`,
        'E_UNKNOWN_PAYMENT_YEAR',
      );
    }
    blend = {};
    for (const r of yearRows) {
      if (r.blendWeight === 0) continue;
      if (!(MODEL_VERSIONS as readonly string[]).includes(r.model)) {
        throw new ConfigError(
          `payment year ${paymentYear} blends ${r.model} (${Math.round(r.blendWeight * 100)}%), which rafcast does not implement; ` +
            `pass --blend with ${MODEL_VERSIONS.join(' and/or ')} weights`,
        );
      }
      blend[r.model as ModelVersion] = r.blendWeight;
    }
  }
  for (const [m, w] of Object.entries(blend)) {
    if (!(MODEL_VERSIONS as readonly string[]).includes(m)) {
      throw new ConfigError(`unknown model ${m} in the blend; available: ${MODEL_VERSIONS.join(', ')}`, 'E_UNKNOWN_MODEL');
    }
    if (!Number.isFinite(w) || w < 0 || w > 1) throw new ConfigError(`blend weight of ${m} must be in [0, 1], found ${w}`);
  }
  const total = Object.values(blend).reduce((a, b) => a + (b ?? 0), 0);
  if (Math.abs(total - 1) > 1e-9) throw new ConfigError(`blend weights must sum to 1, found ${total}`);

  const normalization: Partial<Record<ModelVersion, number>> = {};
  for (const m of MODEL_VERSIONS) {
    if ((blend[m] ?? 0) === 0) continue;
    const n = overrides.normalization?.[m] ?? yearRows.find((r) => r.model === m)?.normalization ?? null;
    if (n === null) {
      throw new ConfigError(
        `no ${m} normalisation factor for payment year ${paymentYear}; pass --normalization ${m}=<factor>`,
      );
    }
    if (!(n > 0)) throw new ConfigError(`normalisation factor of ${m} must be positive, found ${n}`);
    normalization[m] = n;
  }
  const codingAdjustment = overrides.codingAdjustment ?? yearRows[0]?.codingAdjustment;
  if (codingAdjustment === undefined) {
    throw new ConfigError(`no MA coding adjustment for payment year ${paymentYear}; pass --coding-adjustment`);
  }
  if (!(codingAdjustment >= 0 && codingAdjustment < 1)) {
    throw new ConfigError(`coding adjustment must be in [0, 1), found ${codingAdjustment}`);
  }
  return { paymentYear, blend, normalization, codingAdjustment };
}

export interface PaymentScore {
  /** round(raw / normalisation, 3) per blended model. */
  normalized: Partial<Record<ModelVersion, number>>;
  /** Blend of the normalised scores, before the coding adjustment. */
  blended: number;
  paymentScore: number;
}

/** round(raw / normalisation, 3): one model's normalised score. */
function normalize(raw: number, normalization: number): number {
  return roundHalfUp(raw / normalization, 3);
}

/** round(blend x (1 - coding adjustment), 3): the payment score. */
function adjust(blended: number, codingAdjustment: number): number {
  return roundHalfUp(blended * (1 - codingAdjustment), 3);
}

export function paymentScore(raw: Partial<Record<ModelVersion, number>>, params: PaymentParameters): PaymentScore {
  const normalized: Partial<Record<ModelVersion, number>> = {};
  let blended = 0;
  for (const m of blendedModels(params)) {
    const r = raw[m];
    if (r === undefined) throw new ConfigError(`the blend needs a ${m} raw score`);
    const n = normalize(r, params.normalization[m] as number);
    normalized[m] = n;
    blended += (params.blend[m] as number) * n;
  }
  return { normalized, blended, paymentScore: adjust(blended, params.codingAdjustment) };
}

/** paymentScore for many members: raw scores per blended model, in columns. */
export function paymentScores(
  raw: Partial<Record<ModelVersion, Float64Array>>,
  params: PaymentParameters,
  size: number,
): Float64Array {
  const out = new Float64Array(size);
  const models = blendedModels(params);
  const cols = models.map((m) => {
    const col = raw[m];
    if (col === undefined) throw new ConfigError(`the blend needs ${m} raw scores`);
    return { col, norm: params.normalization[m] as number, weight: params.blend[m] as number };
  });
  for (let i = 0; i < size; i++) {
    let blended = 0;
    for (const c of cols) blended += c.weight * normalize(c.col[i]!, c.norm);
    out[i] = adjust(blended, params.codingAdjustment);
  }
  return out;
}
