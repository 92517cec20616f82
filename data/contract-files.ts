// Finding a plan's files: the input contract's tables (data/README.md) in a folder, each as
// `<name>.parquet` or `<name>.csv`; the required ones must be there, the optional ones may be.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OPTIONAL_TABLES, REQUIRED_TABLES, type OptionalTableName, type RequiredTableName, type TableName } from './contract.ts';
import { ConfigError } from './errors.ts';

/** Where a generated plan keeps its members' true conditions in its folder (data/synthetic/generate.ts; only the evaluation reads it). */
export const TRUTH_CONDITIONS_FILE = 'truth/conditions.parquet';

/** The file of one table in a folder, `<name>.parquet` or `<name>.csv`, or undefined when there is none. */
export function findDataFile(dir: string, name: TableName): string | undefined {
  const candidates = ['parquet', 'csv'].map((ext) => join(dir, `${name}.${ext}`)).filter((p) => existsSync(p));
  if (candidates.length > 1) throw new ConfigError(`${dir} has both ${candidates.join(' and ')}; keep one`);
  return candidates[0];
}

/** The contract's required files in a folder: `<name>.parquet` or `<name>.csv`. */
export function findDataFiles(dir: string): Record<RequiredTableName, string> {
  const found = {} as Record<RequiredTableName, string>;
  for (const name of REQUIRED_TABLES) {
    const file = findDataFile(dir, name);
    if (file === undefined) throw new ConfigError(`${dir} has no ${name}.parquet or ${name}.csv`);
    found[name] = file;
  }
  return found;
}

/** The contract's optional files (pharmacy, labs, providers) the folder has; an absent one is left out. */
export function findOptionalDataFiles(dir: string): Partial<Record<OptionalTableName, string>> {
  const found: Partial<Record<OptionalTableName, string>> = {};
  for (const name of OPTIONAL_TABLES) {
    const file = findDataFile(dir, name);
    if (file !== undefined) found[name] = file;
  }
  return found;
}

/**
 * The files the model's features and dollars read: the required ones and the evidence files
 * (pharmacy, labs) the folder has (features/evidence.ts, evaluation/suspect-dollars.ts).
 */
export function findModelDataFiles(dir: string): Record<RequiredTableName, string> & Partial<Record<'pharmacy' | 'labs', string>> {
  const { pharmacy, labs } = findOptionalDataFiles(dir);
  return { ...findDataFiles(dir), ...(pharmacy !== undefined ? { pharmacy } : {}), ...(labs !== undefined ? { labs } : {}) };
}
