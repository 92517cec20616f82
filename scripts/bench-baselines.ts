// The naive and analyst's lists' precision at 20% and AUC for the bench's quality steps (quality,
// quality-desynpuf), on the members of a feature table who have a RAF_T: naive ranks by RAF_{T-1}
// (the features' raf_t1), the analyst's list as evaluation/analyst-list.ts builds it (DOMAIN.md
// section 4). One place for both steps.
import { join } from 'node:path';
import { openDuckDb, sqlString } from '../data/duckdb.ts';
import { analystListScores } from '../evaluation/analyst-list.ts';
import { yearScoring } from '../evaluation/year-scoring.ts';
import { featureSchema } from '../features/schema.ts';
import { readFeatureRows, readRaf, topShareLabels } from '../models/dataset.ts';
import { listMetrics } from '../models/metrics.ts';
import { TOP_SHARE } from '../models/model-run.ts';
import { roundHalfUp } from '../scoring/rounding.ts';

export interface BaselineFigures {
  naive: { precision: number; auc: number };
  analyst: { precision: number; auc: number };
  /** Members with a RAF_T, and of them those in its top 20%. */
  members: number;
  positives: number;
}

/** The baselines' figures at as-of T from the data's members and enrollment, the history and T's feature table. */
export async function baselineFigures(data: string, history: string, features: string, T: number): Promise<BaselineFigures> {
  const db = await openDuckDb();
  try {
    const conn = db.connection;
    const schema = featureSchema();
    await conn.run(`CREATE VIEW f AS SELECT * EXCLUDE (as_of) FROM read_parquet(${sqlString(features)})`);
    await conn.run(`CREATE VIEW members AS SELECT * FROM read_parquet(${sqlString(join(data, 'members.parquet'))})`);
    await conn.run(`CREATE VIEW enrollment AS SELECT * FROM read_parquet(${sqlString(join(data, 'enrollment.parquet'))})`);
    const rows = await readFeatureRows(conn, 'f', schema);
    const col = (name: string): Float64Array => Float64Array.from({ length: rows.ids.length }, (_, i) => rows.x.values[i * rows.x.cols + schema.names.indexOf(name)]!);
    // The feature matrix holds float32; a payment score has 3 places, so rounding gives RAF_{T-1} back exactly.
    const rafT1 = Float64Array.from(col('raf_t1'), (v) => roundHalfUp(v, 3));
    const isNew = Uint8Array.from(col('missing_t1'), (v) => (v === 1 ? 1 : 0));
    const analyst = (await analystListScores(conn, rows.ids, rafT1, isNew, T, yearScoring(history, T - 1))).score;
    const { labels } = topShareLabels(await readRaf(conn, join(history, 'raf_history.parquet'), T, rows.ids), TOP_SHARE);
    const known = Array.from(labels.keys()).filter((i) => labels[i] !== 255);
    const y = Uint8Array.from(known, (i) => labels[i]!);
    const of = (score: Float64Array): { precision: number; auc: number } => {
      const m = listMetrics(Float64Array.from(known, (i) => score[i]!), y, TOP_SHARE);
      return { precision: m.precision, auc: m.auc };
    };
    return { naive: of(rafT1), analyst: of(analyst), members: known.length, positives: y.reduce((a, b) => a + b, 0) };
  } finally {
    db.close();
  }
}
