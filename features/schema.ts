// The feature schema: the families in column order, the features' names and meanings, and a
// version hash that every model run records and checks (a run refuses features whose hash differs).
// The condition categories with a dollar feature are pinned to one named table year, so that
// bundling a later payment year's tables changes no existing model's features.
import { createHash } from 'node:crypto';
import { loadModelTables } from '../data/reference/cms-hcc-tables.ts';
import { ccDollars } from './cc-dollars.ts';
import { demographics } from './demographics.ts';
import { dropOffs } from './drop-offs.ts';
import { evidence } from './evidence.ts';
import type { FeatureDefinition, FeatureFamily } from './family.ts';
import { hccCounts } from './hcc-counts.ts';
import { rafHistory } from './raf-history.ts';
import { recapture } from './recapture.ts';
import { utilisation } from './utilisation.ts';

export type { FeatureDefinition };

/** Bumped whenever a feature's definition changes, so that old models refuse new features. */
export const FEATURE_VERSION = 2;

/**
 * The payment year of the V28 tables whose payment HCCs are the dollar features' condition
 * categories (log_paid_cc<N>). Pinned, not "the latest bundled year": a new year's tables would
 * otherwise change the names, and so the hash, and every trained model would refuse its features.
 * Moving it is a change of the features: bump FEATURE_VERSION with it. The CCs it gives are in
 * the schema's names, so the hash covers them; the year itself is not a field of the schema
 * object, which keeps the bytes of every recorded schema.json and run.json as they were.
 */
export const FEATURE_CC_TABLES_YEAR = 2026;

/** The feature families, in column order. */
export const FEATURE_FAMILIES: readonly FeatureFamily[] = [demographics, rafHistory, hccCounts, dropOffs, recapture, evidence, utilisation, ccDollars];

/** The V28 condition categories whose T-1 dollars are features: the payment HCCs of FEATURE_CC_TABLES_YEAR. */
export function featureCcs(): number[] {
  return [...loadModelTables('V28', FEATURE_CC_TABLES_YEAR).paymentHccs];
}

/** The features in order: names and one-line meanings. */
export function featureDefinitions(): FeatureDefinition[] {
  const ccs = featureCcs();
  return FEATURE_FAMILIES.flatMap((f) => f.definitions(ccs));
}

export interface FeatureSchema {
  version: number;
  names: string[];
  /** sha256 of the version and the names in order. */
  hash: string;
}

export function featureSchema(): FeatureSchema {
  const names = featureDefinitions().map((d) => d.name);
  const hash = createHash('sha256').update(JSON.stringify({ version: FEATURE_VERSION, names })).digest('hex');
  return { version: FEATURE_VERSION, names, hash };
}
