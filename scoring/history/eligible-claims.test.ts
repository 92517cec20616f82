// The CMS eligibility rules in SQL (eligible-claims.ts, DOMAIN.md section 1 step 1) on hand-built claims
// and rule tables of a few rows, each expected value worked out beside it; and the SQL held equal
// to isRiskAdjustmentEligible and excludedBy on the same rows and tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDb } from '../../data/duckdb.ts';
import { excludedBy, isRiskAdjustmentEligible, type BillTypeRule, type DiagnosisSourceExclusion } from '../../data/reference/eligibility.ts';
import { createEligibilityTables, createEligibleClaimsView } from './eligible-claims.ts';

// Three-row rule tables in place of CMS's: 99214 is eligible for dates of service in 2024 only,
// G0402 in 2023 only; bill type 11x counts for inpatient claims as it is, 13x for outpatient
// claims with an eligible procedure. Nothing else is listed (87x, for one).
const PROCEDURES = new Map<number, string[]>([
  [2023, ['G0402']],
  [2024, ['99214']],
]);
const BILL_TYPES: BillTypeRule[] = [
  { prefix: '11', setting: 'inpatient', needsEligibleProcedure: false },
  { prefix: '13', setting: 'outpatient', needsEligibleProcedure: true },
];

// _row, claim_type, bill_type, thru_date, procedure_codes, and the verdict worked out by hand.
const CLAIMS: [number, string, string | null, string, string[] | null, boolean, string][] = [
  [1, 'professional', null, '2024-03-01', ['99214'], true, '99214 is on the 2024 list'],
  [2, 'professional', null, '2024-03-01', ['81002'], false, '81002 is on no list'],
  [3, 'professional', null, '2023-12-31', ['99214'], false, 'the date of service is in 2023: the 2023 list, without 99214'],
  [4, 'professional', null, '2024-01-01', ['81002', '99214'], true, 'one eligible line is enough'],
  [5, 'inpatient', '111', '2024-03-05', [], true, 'inpatient 11x needs no procedure'],
  [6, 'inpatient', '0111', '2024-03-05', null, true, 'the leading 0 is dropped: 111'],
  [7, 'inpatient', '131', '2024-03-05', ['99214'], false, '13x is listed for outpatient claims, not inpatient'],
  [8, 'outpatient', '131', '2024-05-01', ['99214'], true, 'outpatient 13x with an eligible procedure'],
  [9, 'outpatient', '131', '2024-05-01', ['81002'], false, 'outpatient 13x needs an eligible procedure'],
  [10, 'outpatient', '871', '2024-05-01', ['99214'], false, '87x is not listed: counts for nothing'],
  [11, 'outpatient', '13', '2024-05-01', ['99214'], false, 'a bill type has three digits'],
];

const list = (codes: string[] | null): string => (codes === null ? 'NULL' : `[${codes.map((c) => `'${c}'`).join(', ')}]::VARCHAR[]`);

describe('createEligibleClaimsView (DOMAIN.md section 1 step 1)', () => {
  let db: { connection: DuckDBConnection; close: () => void };
  let eligible: Map<number, boolean>;

  beforeAll(async () => {
    db = await openDuckDb();
    const conn = db.connection;
    await conn.run(
      `CREATE TABLE claims AS SELECT * FROM (VALUES ${CLAIMS.map(
        ([row, type, bill, dos, procs]) => `(${row}, '${type}', ${bill === null ? 'NULL' : `'${bill}'`}, DATE '${dos}', ${list(procs)}, 'kept')`,
      ).join(', ')}) t(_row, claim_type, bill_type, thru_date, procedure_codes, other)`,
    );
    await createEligibilityTables(conn, PROCEDURES, BILL_TYPES);
    await createEligibleClaimsView(conn, 'claims', 'elig');
    const rows = (await conn.runAndReadAll(`SELECT _row, eligible, other FROM elig ORDER BY _row`)).getRowObjectsJson();
    // The view keeps every column of its source, one row per claim.
    expect(rows.map((r) => r.other)).toEqual(CLAIMS.map(() => 'kept'));
    eligible = new Map(rows.map((r) => [Number(r._row), r.eligible as boolean]));
  });
  afterAll(() => db.close());

  for (const [row, type, bill, dos, procs, expected, why] of CLAIMS) {
    it(`${type} ${bill ?? ''} ${dos} ${JSON.stringify(procs)}: ${expected ? 'eligible' : 'not eligible'} (${why})`, () => {
      expect(eligible.get(row)).toBe(expected);
    });
  }

  it('marks claims 1, 4, 5, 6 and 8 eligible, as isRiskAdjustmentEligible does on the same tables', () => {
    expect([...eligible].filter(([, e]) => e).map(([r]) => r)).toEqual([1, 4, 5, 6, 8]);
    for (const [row, type, bill, dos, procs] of CLAIMS) {
      const year = Number(dos.slice(0, 4));
      const js = isRiskAdjustmentEligible(
        { claimType: type as 'professional' | 'inpatient' | 'outpatient', billType: bill, procedures: procs ?? [] },
        new Set(PROCEDURES.get(year)),
        BILL_TYPES,
      );
      expect(eligible.get(row), `claim ${row}`).toBe(js);
    }
  });
});

// The exclusions by record source (ra_diagnosis_source_exclusions.csv) as two injected rules in
// force from payment year 2027, i.e. for dates of service from 2026 (DOMAIN.md section 2: y pays
// in y + 1). Every claim below passes the bill type and procedure rules (99214 is on both years'
// lists here), so only the exclusions decide.
const RULES: DiagnosisSourceExclusion[] = [
  { rule: 'audio_only', paymentYearFrom: 2027, field: 'procedure_modifiers', values: ['93', 'FQ'], description: '', source: 'test' },
  { rule: 'chart_review_unlinked', paymentYearFrom: 2027, field: 'record_source', values: ['chart_review_unlinked'], description: '', source: 'test' },
];
// _row, thru_date, procedure_modifiers, record_source, the rule that takes the claim out (by hand).
const SOURCED: [number, string, string[], string, string | null][] = [
  [1, '2026-03-02', ['93'], 'encounter', 'audio_only'], // audio-only (CPT modifier 93), 2026: PY2027
  [2, '2026-03-02', ['25', 'FQ'], 'encounter', 'audio_only'], // FQ (FQHC/RHC audio-only) on any line
  [3, '2026-03-02', [], 'chart_review_unlinked', 'chart_review_unlinked'],
  [4, '2026-03-02', [], 'chart_review_linked', null], // a linked chart review keeps its diagnoses
  [5, '2026-03-02', ['95'], 'encounter', null], // 95 is audio-video telehealth: kept
  [6, '2025-12-31', ['93'], 'encounter', null], // 2025 pays in 2026: the rule is not in force
  [7, '2025-12-31', [], 'chart_review_unlinked', null],
  [8, '2026-01-01', ['93'], 'chart_review_unlinked', 'audio_only'], // both match: the first rule in file order
];

describe('createEligibleClaimsView with exclusions by record source (PY2027 rules, injected)', () => {
  let db: { connection: DuckDBConnection; close: () => void };
  let rows: Record<string, unknown>[];

  beforeAll(async () => {
    db = await openDuckDb();
    const conn = db.connection;
    await conn.run(
      `CREATE TABLE claims AS SELECT * FROM (VALUES ${SOURCED.map(
        ([row, dos, mods, source]) => `(${row}, 'professional', NULL::VARCHAR, DATE '${dos}', ['99214'], ${list(mods)}, '${source}')`,
      ).join(', ')}) t(_row, claim_type, bill_type, thru_date, procedure_codes, procedure_modifiers, record_source)`,
    );
    await createEligibilityTables(conn, new Map([[2025, ['99214']], [2026, ['99214']]]), BILL_TYPES);
    await createEligibleClaimsView(conn, 'claims', 'elig', RULES);
    rows = (await conn.runAndReadAll(`SELECT _row, eligible, excluded_by FROM elig ORDER BY _row`)).getRowObjectsJson();
  });
  afterAll(() => db.close());

  it('takes out audio-only claims (93, FQ) and unlinked chart reviews dated 2026, and nothing dated 2025', () => {
    expect(rows).toEqual(SOURCED.map(([row, , , , rule]) => ({ _row: row, eligible: rule === null, excluded_by: rule })));
  });

  it('names the same rule as excludedBy, the reference rule, for every claim', () => {
    for (const [row, dos, mods, source] of SOURCED) {
      const js = excludedBy({ procedure_modifiers: mods, record_source: source }, Number(dos.slice(0, 4)), RULES);
      expect(rows.find((r) => r._row === row)?.excluded_by, `claim ${row}`).toBe(js);
    }
  });

  it('leaves excluded_by empty on a claim the bill type and procedure rules already reject (counted as ineligible)', async () => {
    await db.connection.run(`CREATE TABLE claims2 AS SELECT * REPLACE (['81002'] AS procedure_codes) FROM claims WHERE _row = 1`);
    await createEligibleClaimsView(db.connection, 'claims2', 'elig2', RULES);
    expect((await db.connection.runAndReadAll(`SELECT eligible, excluded_by FROM elig2`)).getRowObjectsJson()).toEqual([{ eligible: false, excluded_by: null }]);
  });
});
