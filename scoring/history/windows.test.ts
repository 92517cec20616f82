// The payment windows of DOMAIN.md section 2 in SQL (windows.ts) on hand-built claims: the dates on
// each boundary, the windows held equal to paymentWindows (scoring/payment-calendar.ts), and every
// diagnosis counted once per kind of window, each count worked out by hand beside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDb } from '../../data/duckdb.ts';
import type { DiagnosisSourceExclusion } from '../../data/reference/eligibility.ts';
import type { SubmissionDeadlines } from '../../data/reference/submission-deadlines.ts';
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

/**
 * The tables the windows read, in `conn`: members M0 (key 0, enrolled 2024-2025) and M1 (key 1,
 * enrolled 2024), and professional encounters (_row, member, thru_date, diagnoses, received_date).
 */
async function createFixture(conn: DuckDBConnection, claims: readonly (readonly [number, string, string, readonly string[], string | null])[]): Promise<void> {
  await conn.run(`CREATE TABLE _hist_members AS SELECT * FROM (VALUES (0, 'M0'), (1, 'M1')) t(mk, member_id)`);
  await conn.run(`CREATE TABLE _hist_my AS SELECT * FROM (VALUES (0, 2024), (0, 2025), (1, 2024)) t(mk, year)`);
  await conn.run(
    `CREATE TABLE claims AS SELECT * FROM (VALUES ${claims
      .map(
        ([row, member, dos, dx, received]) =>
          `(${row}, '${member}', 'professional', NULL, DATE '${dos}', '1111111111', ['99214'], []::VARCHAR[], 'encounter', [${dx.map((d) => `'${d}'`).join(', ')}], ${received === null ? 'NULL::DATE' : `DATE '${received}'`})`,
      )
      .join(', ')}) t(_row, member_id, claim_type, bill_type, thru_date, rendering_npi, procedure_codes, procedure_modifiers, record_source, diagnosis_codes, received_date)`,
  );
}

describe('the calendar-year and July-June windows (DOMAIN.md section 2)', () => {
  let db: { connection: DuckDBConnection; close: () => void };
  let counts: DiagnosisCounts;
  const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await db.connection.runAndReadAll(sql)).getRowObjectsJson();

  beforeAll(async () => {
    db = await openDuckDb();
    const conn = db.connection;
    await createFixture(conn, CLAIMS.map(([row, member, dos, dx]) => [row, member, dos, dx, null] as const));
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
      midYear: { attributed: 4, outsideYears: 2, afterDeadline: 0, notEnrolled: 1, unscored: 0 },
      initial: { attributed: 3, outsideYears: 2, afterDeadline: 0, notEnrolled: 2, unscored: 0 },
    });
    // Every diagnosis in exactly one bucket.
    expect(counts.ineligible + counts.excluded + counts.eligible).toBe(counts.inRange);
  });

  it('adds the diagnoses of unscored member-years without changing the counts it was given', () => {
    const withOne = withUnscored(counts, { mid: 1, init: 0 });
    expect(withOne.midYear).toEqual({ attributed: 4, outsideYears: 2, afterDeadline: 0, notEnrolled: 1, unscored: 1 });
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

describe("each window honours its run's submission deadline (windowDeadlines; deadlines injected)", () => {
  // A test table, not CMS's dates: payment year 2025 only. Service year 2024's July-June window
  // (PY2025's initial run) counts claims received by 2024-09-06, its calendar window (PY2025's
  // final run) by 2026-01-30. Payment years 2024 and 2026 have no row: windows 2023 and 2025 have no deadline.
  const DEADLINES: SubmissionDeadlines[] = [
    { paymentYear: 2025, initial: '2024-09-06', midYear: '2025-03-07', final: '2026-01-30', found: [], source: 'a test row' },
  ];
  // _row, member, thru_date, received_date; one diagnosis each, all eligible. M0 enrolled 2024-2025, M1 2024 only.
  const LATE: [number, string, string, string][] = [
    [1, 'M0', '2024-06-20', '2024-09-06'], // received on the initial deadline day: on time in both windows of 2024
    [2, 'M0', '2024-06-21', '2024-09-07'], // a day after it: out of July-June 2024, in calendar 2024
    [3, 'M0', '2024-03-01', '2026-02-02'], // after the final deadline too: in neither window of 2024
    [4, 'M0', '2023-08-01', '2024-10-01'], // calendar 2023 (outside the years); July-June 2024, after its deadline
    [5, 'M0', '2025-05-01', '2026-06-01'], // 2025's windows (PY2026) have no deadline: in both
    [6, 'M0', '2025-12-01', '2026-01-05'], // calendar 2025; July-June 2026 is outside the years
    [7, 'M1', '2025-02-01', '2027-01-01'], // M1 not enrolled in 2025: no deadline, not enrolled in either
  ];
  let db: { connection: DuckDBConnection; close: () => void };
  let counts: DiagnosisCounts;
  const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await db.connection.runAndReadAll(sql)).getRowObjectsJson();

  beforeAll(async () => {
    db = await openDuckDb();
    const conn = db.connection;
    await createFixture(conn, LATE.map(([row, member, dos, received]) => [row, member, dos, ['E1122'], received] as const));
    await createWindowedClaims(conn, 2024, 2025, { deadlines: DEADLINES });
    await conn.run(`CREATE VIEW _hist_eligible AS SELECT *, true AS eligible, NULL::VARCHAR AS excluded_by FROM _hist_received`);
    await createDiagnosisCounts(conn);
    counts = await countDiagnoses(conn, 2024, 2025, []);
  });
  afterAll(() => db.close());

  it('blanks the window year of a claim received after that window\'s deadline, and keeps it as the late year', async () => {
    expect(
      await rows(
        `SELECT _row, mid_year::INTEGER AS mid, init_year::INTEGER AS init, mid_year_late::INTEGER AS mid_late, init_year_late::INTEGER AS init_late
         FROM _hist_received ORDER BY _row`,
      ),
    ).toEqual([
      { _row: 1, mid: 2024, init: 2024, mid_late: null, init_late: null },
      { _row: 2, mid: 2024, init: null, mid_late: null, init_late: 2024 },
      { _row: 3, mid: null, init: null, mid_late: 2024, init_late: 2024 },
      { _row: 4, mid: 2023, init: null, mid_late: null, init_late: 2024 },
      { _row: 5, mid: 2025, init: 2025, mid_late: null, init_late: null },
      { _row: 6, mid: 2025, init: 2026, mid_late: null, init_late: null },
      { _row: 7, mid: 2025, init: 2025, mid_late: null, init_late: null },
    ]);
  });

  it('counts the diagnoses received after a deadline apart: outside the years first, then after the deadline, then not enrolled', () => {
    // 7 diagnoses, all eligible.
    // Calendar year: claim 4 is in 2023, outside (1); claim 3 came after 2024's final deadline (1);
    //   claim 7 is M1's 2025, not enrolled (1); attributed 7 - 1 - 1 - 1 = 4 (claims 1, 2, 5, 6).
    // July-June: claim 6 is in 2026, outside (1); claims 2, 3 and 4 came after 2024's initial
    //   deadline (3); claim 7 is M1's 2025 (1); attributed 7 - 1 - 3 - 1 = 2 (claims 1 and 5).
    expect(counts).toMatchObject({
      inRange: 7,
      notYetReceived: 0,
      eligible: 7,
      midYear: { attributed: 4, outsideYears: 1, afterDeadline: 1, notEnrolled: 1, unscored: 0 },
      initial: { attributed: 2, outsideYears: 1, afterDeadline: 3, notEnrolled: 1, unscored: 0 },
    });
  });
});
