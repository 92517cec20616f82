// Finding a plan's files: the input contract's tables (data/README.md) in a folder, each as
// `<name>.parquet` or `<name>.csv`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TableName } from './contract.ts';
import { ConfigError } from './errors.ts';

const DATA_FILES: TableName[] = ['members', 'enrollment', 'claims'];

/** The contract's files in a folder: `<name>.parquet` or `<name>.csv`. */
export function findDataFiles(dir: string): Record<TableName, string> {
  const found = {} as Record<TableName, string>;
  for (const name of DATA_FILES) {
    const candidates = ['parquet', 'csv'].map((ext) => join(dir, `${name}.${ext}`)).filter((p) => existsSync(p));
    if (candidates.length === 0) throw new ConfigError(`${dir} has no ${name}.parquet or ${name}.csv`);
    if (candidates.length > 1) throw new ConfigError(`${dir} has both ${candidates.join(' and ')}; keep one`);
    found[name] = candidates[0]!;
  }
  return found;
}

