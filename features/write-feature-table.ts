// `rafcast features`: the feature table of as-of year T (build-features.ts) and its schema beside
// it as <table>.schema.json, written like every output: to a temporary file, then renamed into
// place, owner-only (data/atomic-file.ts).
import { writeFileAtomically } from '../data/atomic-file.ts';
import { buildFeatures, type FeatureFileSummary, type FeatureOptions } from './build-features.ts';

export interface FeatureTableFiles extends FeatureFileSummary {
  /** <out>.schema.json: the feature names, meanings and hash (schema.ts). */
  schemaFile: string;
}

/** Writes the features of as-of year T to `out` (Parquet) and the schema to `<out>.schema.json`. */
export async function writeFeatureTable(opts: FeatureOptions & { out: string }, log: (line: string) => void = () => undefined): Promise<FeatureTableFiles> {
  // The whole plan's table: refused when the as-of year has no member (an empty table is no finding).
  const summary = await buildFeatures({ ...opts, requireMembers: true }, log);
  const schemaFile = `${opts.out}.schema.json`;
  await writeFileAtomically(schemaFile, `${JSON.stringify(summary.schema, null, 2)}\n`);
  return { ...summary, schemaFile };
}
