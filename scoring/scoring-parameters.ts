// The payment parameters a score uses (DOMAIN.md section 1): the payment year's blend,
// normalisation and MA coding adjustment from data/reference, with a user's overrides; `--model`
// scores one model alone (a 100% blend of it).
import { RafcastError } from '../data/errors.ts';
import { loadModelTables, loadPaymentFactors, type ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import { resolvePaymentParameters, type PaymentOverrides, type PaymentParameters } from './payment-score.ts';

/** Resolves payment parameters: --model forces a 100% blend of that model. */
export function scoringParameters(
  paymentYear: number,
  model: ModelVersion | undefined,
  overrides: PaymentOverrides = {},
): PaymentParameters {
  if (model !== undefined && overrides.blend !== undefined) {
    throw new RafcastError('E_CONFIG', 'give --model or --blend, not both');
  }
  const blend = model !== undefined ? { [model]: 1 } : overrides.blend;
  // An unknown model or payment year is reported with what is available, before any factor.
  for (const m of Object.keys(blend ?? {})) loadModelTables(m, paymentYear);
  return resolvePaymentParameters(paymentYear, loadPaymentFactors(), { ...overrides, blend });
}

