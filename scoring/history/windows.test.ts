// The payment windows of DOMAIN.md section 2 in SQL (windows.ts) on hand-built claims: the dates on
// each boundary, the windows held equal to paymentWindows (scoring/payment-calendar.ts), and every
// diagnosis counted once per kind of window, each count worked out by hand beside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDb } from '../../data/duckdb.ts';
import type { DiagnosisSourceExclusion } from '../../data/reference/eligibility.ts';
import { paymentWindows } from '../payment-calendar.ts';
import { checkAttributed, countDiagnoses, createDiagnosisCounts, createWindowedClaims, withUnscored, type DiagnosisCounts } from './windows.ts';

// Service years 2024-2025. Member M0 (key 0) is enrolled in 2024 and 2025, M1 (key 1) in 2024 only.
// _row, member, thru_date, diagnoses, eligible (as the eligible-claims view would say).
const CLAIMS: [number, string, string, string[], boolean][] = [
  [1, 'M0', '2023-07-01', ['E1122', 'I5022'], true], // first day in range: calendar 2023 (outside), July-June 2024
  [2, 'M0', '2024-06-30', ['E1122'], true], // calendar 2024, July-June 2024
  [3, 'M0', '2024-07-01', ['E1122', 'I5022', 'Z794'], false], // ineligible: counted as such, in no window
  [4, 'M1', '2024-07-01', ['E1122'], true], // calendar 2024, July-June 2025 (M1 not enrolled in 2025)
  [5, 'M0', '2025-12-31', ['E1122', 'I5022'], true], // last day in range: calendar 2025, July-June 2026 (outside)
  [6, 'M1', '2025-03-01', ['I5022'], true], // calendar 2025 and July-June 2025: M1 not enrolled in 2025
  [7, 'M0', '2023-06-30', ['E1122'], true], // the day before the range: not read
  [8, 'M0', '2026-01-01', ['E1122'], true], // the day after the range: not read
  [9, 'M0', '2025-02-01', ['E1122', 'I5022'], false], // taken out by an exclusion rule (EXCLUDED below): in no window
];
// The claims an exclusion rule takes out, as the eligible-claims view would say (its excluded_by).
const EXCLUDED = new Map([[9, 'audio_only']]);
const RULES: DiagnosisSourceExclusion[] = [
  { rule: 'audio_only', paymentYearFrom: 2025, field: 'procedure_modifiers', values: ['93'], description: '', source: 'a test rule' },
  { rule: 'chart_review_unlinked', paymentYearFrom: 2025, field: 'record_source', values: ['chart_review_unlinked'], description: '', source: 'a test rule' },
];

describe('the calendar-year and July-June windows (DOMAIN.md section 2)', () => {
  let db: { connection: DuckDBConnection; close: () => void };
  let counts: DiagnosisCounts;
  const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await db.connection.runAndReadAll(sql)).getRowObjectsJson();

  beforeAll(async () => {
    db = await openDuckDb();
    const conn = db.connection;
    await conn.run(`CREATE TABLE _hist_members AS SELECT * FROM (VALUES (0, 'M0'), (1, 'M1')) t(mk, member_id)`);
    await conn.run(`CREATE TABLE _hist_my AS SELECT * FROM (VALUES (0, 2024), (0, 2025), (1, 2024)) t(mk, year)`);
    await conn.run(
      `CREATE TABLE claims AS SELECT * FROM (VALUES ${CLAIMS.map(
        ([row, member, dos, dx]) =>
          `(${row}, '${member}', 'professional', NULL, DATE '${dos}', '1111111111', ['99214'], []::VARCHAR[], 'encounter', [${dx.map((d) => `'${d}'`).join(', ')}])`,
      ).join(', ')}) t(_row, member_id, claim_type, bill_type, thru_date, rendering_npi, procedure_codes, procedure_modifiers, record_source, diagnosis_codes)`,
    );
    await createWindowedClaims(conn, 2024, 2025);
    const ineligible = CLAIMS.filter((c) => !c[4]).map((c) => c[0]);
    const excludedBy = `CASE _row ${[...EXCLUDED].map(([row, rule]) => `WHEN ${row} THEN '${rule}'`).join(' ')} END`;
    await conn.run(`CREATE VIEW _hist_eligible AS SELECT *, _row NOT IN (${ineligible.join(', ')}) AS eligible, ${excludedBy} AS excluded_by FROM _hist_received`);
    await createDiagnosisCounts(conn);
    counts = await countDiagnoses(conn, 2024, 2025, RULES);
  });
  afterAll(() => db.close());

  it('reads July 1 of the first year - 1 to December 31 of the last year, and gives each date its windows', async () => {
    // January-June of y: calendar y and July-June y; July-December of y: calendar y and July-June y + 1.
    expect(await rows(`SELECT _row, mk, thru_date::VARCHAR AS dos, mid_year::INTEGER AS mid_year, init_year::INTEGER AS init_year FROM _hist_claims ORDER BY _row`)).toEqual([
      { _row: 1, mk: 0, dos: '2023-07-01', mid_year: 2023, init_year: 2024 },
      { _row: 2, mk: 0, dos: '2024-06-30', mid_year: 2024, init_year: 2024 },
      { _row: 3, mk: 0, dos: '2024-07-01', mid_year: 2024, init_year: 2025 },
      { _row: 4, mk: 1, dos: '2024-07-01', mid_year: 2024, init_year: 2025 },
      { _row: 5, mk: 0, dos: '2025-12-31', mid_year: 2025, init_year: 2026 },
      { _row: 6, mk: 1, dos: '2025-03-01', mid_year: 2025, init_year: 2025 },
      { _row: 9, mk: 0, dos: '2025-02-01', mid_year: 2025, init_year: 2025 },
    ]);
  });

  it("puts each date in the windows paymentWindows gives as dates (DOMAIN.md section 2's two rules, held equal)", async () => {
    const windows = await rows(`SELECT thru_date::VARCHAR AS dos, mid_year, init_year FROM _hist_claims`);
    expect(windows).toHaveLength(7);
    for (const w of windows) {
      const dos = String(w.dos);
      const mid = paymentWindows(Number(w.mid_year)).midYear;
      const init = paymentWindows(Number(w.init_year)).initial;
      expect(mid.from <= dos && dos <= mid.to, `${dos} in calendar year ${w.mid_year}`).toBe(true);
      expect(init.from <= dos && dos <= init.to, `${dos} in July-June ${w.init_year}`).toBe(true);
    }
  });

  it('counts every diagnosis read: ineligible, excluded by a rule, or in each kind of window attributed, outside the years, or not enrolled', () => {
    // Read: claims 1-6 and 9 hold 2 + 1 + 3 + 1 + 2 + 1 + 2 = 12 diagnoses; claim 3's 3 are
    // ineligible; claim 9's 2 are taken out by audio_only (dated 2025); 12 - 3 - 2 = 7 eligible.
    // Calendar year: claim 1 (2) is in 2023, outside 2024-2025; claim 6 (1) is M1's 2025, not enrolled;
    //   attributed 7 - 2 - 1 = 4 (claims 2, 4 and 5: 1 + 1 + 2).
    // July-June: claim 5 (2) is in 2026, outside; claims 4 and 6 (1 + 1) are M1's 2025, not enrolled;
    //   attributed 7 - 2 - 2 = 3 (claims 1 and 2: 2 + 1).
    // Each rule of the list is reported, with every year of dates of service read (2023-2025).
    expect(counts).toEqual({
      inRange: 12,
      notYetReceived: 0,
      ineligible: 3,
      excluded: 2,
      exclusions: [
        { rule: 'audio_only', paymentYearFrom: 2025, diagnoses: 2, byServiceYear: { 2023: 0, 2024: 0, 2025: 2 } },
        { rule: 'chart_review_unlinked', paymentYearFrom: 2025, diagnoses: 0, byServiceYear: { 2023: 0, 2024: 0, 2025: 0 } },
      ],
      eligible: 7,
      midYear: { attributed: 4, outsideYears: 2, notEnrolled: 1, unscored: 0 },
      initial: { attributed: 3, outsideYears: 2, notEnrolled: 2, unscored: 0 },
    });
    // Every diagnosis in exactly one bucket.
    expect(counts.ineligible + counts.excluded + counts.eligible).toBe(counts.inRange);
  });

  it('adds the diagnoses of unscored member-years without changing the counts it was given', () => {
    const withOne = withUnscored(counts, { mid: 1, init: 0 });
    expect(withOne.midYear).toEqual({ attributed: 4, outsideYears: 2, notEnrolled: 1, unscored: 1 });
    expect(withOne.initial.unscored).toBe(0);
    expect(counts.midYear.unscored).toBe(0);
  });

  it('reconciles: the rows hold the attributed diagnoses less those of unscored member-years, or the run stops', () => {
    // Calendar year: 4 attributed = 3 in the rows + 1 unscored; July-June: 3 = 3 + 0.
    const withOne = withUnscored(counts, { mid: 1, init: 0 });
    expect(() => checkAttributed(withOne, { mid: 3, init: 3 })).not.toThrow();
    expect(() => checkAttributed(withOne, { mid: 4, init: 3 })).toThrow(/diagnoses attributed \(4, 3\) differ/);
    expect(() => checkAttributed(withOne, { mid: 3, init: 2 })).toThrow(/diagnoses attributed \(3, 2\) differ/);
  });
});
