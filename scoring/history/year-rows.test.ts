// A service year's member-years as the scorer reads them (year-rows.ts; scoring/README.md,
// "Demographics" and raf_hcc) on hand-built member-years and eligible claims: each code's first and
// last date of service and provider, the codes of each window, the diagnosis counts, the
// new-enrollee flag and a member-year set aside, every value worked out by hand beside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDb } from '../../data/duckdb.ts';
import type { YearPlan } from './plan-years.ts';
import { createDiagnosisCounts } from './windows.ts';
import { createScoredCodes, yearRows, yearSql, type YearRow } from './year-rows.ts';

// Service year 2024, payment year 2025. Dates as days since 1970-01-01: 2024-01-01 is day 19,723
// (54 years, 13 of them leap: 54 x 365 + 13); 2024-02-01 = 19,723 + 31 = 19,754;
// 2024-03-01 = 19,754 + 29 = 19,783; 2024-10-20 = 19,723 + 274 (January-September) + 19 = 20,016;
// 2024-11-01 = 19,723 + 305 = 20,028.
const PLAN: YearPlan = {
  serviceYear: 2024,
  paymentYear: 2025,
  tablesYear: { V28: 2025 },
  blend: { V28: 1 },
  normalization: { V28: 1.045 },
  codingAdjustment: 0.059,
  procedureListYear: 2024,
  diagnosisExclusions: [],
};

describe('yearSql and yearRows (service year 2024)', () => {
  let db: { connection: DuckDBConnection; close: () => void };
  let sqlRows: Record<string, unknown>[];
  let rows: YearRow[];
  const rejected: string[] = [];
  const unscored = { mid: 0, init: 0 };

  beforeAll(async () => {
    db = await openDuckDb();
    const conn = db.connection;
    await conn.run(
      `CREATE TABLE _hist_my AS SELECT * FROM (VALUES
         (0, 2024, 12, 'none', false, false, 'F', '0', DATE '1950-03-10', NULL::DATE), -- 74 on Feb 1 2025: CNA
         (1, 2024, 12, 'none', false, true, 'F', '0', DATE '1950-03-10', NULL),       -- new enrollee, but 12 months of data
         (2, 2024, 11, 'none', false, true, 'M', '0', DATE '1955-01-01', NULL),       -- new enrollee, 11 months: NE
         (3, 2024, 12, 'none', false, false, 'M', '0', DATE '1890-01-01', NULL),      -- 135 on Feb 1 2025: over 125
         (0, 2025, 12, 'none', false, false, 'F', '0', DATE '1950-03-10', NULL)       -- another service year
       ) t(mk, year, months_enrolled, dual_status, institutional, new_enrollee, sex, orec, birth_date, death_date)`,
    );
    // Eligible-claims rows as windows.ts and eligible-claims.ts leave them. E1122 and I5022 map to
    // a CC; Z794 maps to none. The two claims of 2024-10-20 are listed larger NPI first, so that the
    // tie is not settled by row order.
    // The 2024-09-15 claim is one an exclusion rule took out (excluded_by): like an ineligible
    // one, its diagnoses are neither scored nor counted in n_dx.
    await conn.run(
      `CREATE TABLE _hist_eligible AS SELECT * FROM (VALUES
         (0, DATE '2024-03-01', '1111111111', 2024, 2024, ['E1122', 'Z794'], true, NULL),
         (0, DATE '2024-10-20', '3333333333', 2024, 2025, ['E1122'], true, NULL),
         (0, DATE '2024-10-20', '2222222222', 2024, 2025, ['E1122'], true, NULL),
         (0, DATE '2024-11-01', NULL, 2024, 2025, ['I5022'], true, NULL),
         (0, DATE '2024-12-01', '9999999999', 2024, 2025, ['I5022', 'E1122'], false, NULL),
         (0, DATE '2024-09-15', '7777777777', 2024, 2025, ['I5022', 'E1122'], false, 'audio_only'),
         (0, DATE '2023-08-01', '4444444444', 2023, 2024, ['I5022'], true, NULL),
         (0, DATE '2025-02-01', '6666666666', 2025, 2025, ['E1122'], true, NULL),
         (3, DATE '2024-02-01', '5555555555', 2024, 2024, ['E1122'], true, NULL)
       ) t(mk, thru_date, npi, mid_year, init_year, dx, eligible, excluded_by)`,
    );
    // No claim here came after a window's submission deadline (windows.ts): the late years are blank.
    await conn.run(`ALTER TABLE _hist_eligible ADD COLUMN mid_year_late INTEGER; ALTER TABLE _hist_eligible ADD COLUMN init_year_late INTEGER`);
    await createDiagnosisCounts(conn);
    await createScoredCodes(conn, ['I5022', 'E1122']);
    const reader = await conn.runAndReadAll(yearSql(2024));
    // The rows come in no particular order (the files are sorted when written): sorted here by key.
    sqlRows = reader.getRowObjectsJson().sort((a, b) => Number(a.mk) - Number(b.mk));
    rows = yearRows(reader.getColumns() as unknown[][], PLAN, rejected, unscored).sort((a, b) => a.mk - b.mk);
  });
  afterAll(() => db.close());

  it("gives each calendar-year code its first and last date of service and the last claim's provider, the larger NPI on a tie", () => {
    const m0 = sqlRows.find((r) => r.mk === 0);
    // Calendar 2024, eligible, mapped: E1122 on 2024-03-01 (NPI 1111111111) and twice on 2024-10-20
    // (2222222222, 3333333333): first 19,783, last 20,016, NPI 3333333333 (the larger on the last day).
    // I5022 on 2024-11-01 with no NPI: first = last = 20,028, NPI ''. Not 2024-12-01's (ineligible)
    // nor 2023-08-01's (calendar 2023). Z794 maps to no CC: left out. Codes in code order.
    expect(m0).toMatchObject({ dx: 'E1122|I5022', first_days: '19783|20028', last_days: '20016|20028', npis: '3333333333|' });
  });

  it('gives the July-June window its own codes: July 2023-June 2024', () => {
    // Initial 2024: E1122 of 2024-03-01 and I5022 of 2023-08-01; the claims of July-December 2024
    // belong to 2025's window.
    expect(sqlRows.find((r) => r.mk === 0)?.dx_init).toBe('E1122|I5022');
  });

  it('counts eligible diagnoses with repeats, mapped or not, in each window', () => {
    // Calendar 2024: 2 (E1122, Z794 of 2024-03-01) + 1 + 1 (2024-10-20) + 1 (2024-11-01) = 5;
    // 2024-12-01's 2 are ineligible. July-June 2024: 2 (2024-03-01) + 1 (2023-08-01) = 3.
    expect(sqlRows.find((r) => r.mk === 0)).toMatchObject({ n_dx: 5, n_dx_init: 3 });
  });

  it('flags a new enrollee only with fewer than 12 months of the service year, and gives a member with no claim empty windows', () => {
    expect(sqlRows.map((r) => [r.mk, r.new_enrollee])).toEqual([
      [0, false],
      [1, false], // new_enrollee, 12 months: a full year of data
      [2, true], // new_enrollee, 11 months
      [3, false],
    ]);
    expect(sqlRows.find((r) => r.mk === 1)).toMatchObject({ dx: '', first_days: '', last_days: '', npis: '', dx_init: '', n_dx: 0, n_dx_init: 0 });
  });

  it('resolves demographics for payment year 2025 and sets aside, with the reason, a member-year it cannot score', () => {
    // mk 0: born 1950-03-10, 74 on Feb 1 2025, CNA (SEGMENTS index 0); mk 2: born 1955-01-01, 70, NE (index 7).
    expect(rows.map((r) => [r.mk, r.demographics.segment, r.demographics.age, r.segmentIndex])).toEqual([
      [0, 'CNA', 74, 0],
      [1, 'CNA', 74, 0],
      [2, 'NE', 70, 7],
    ]);
    expect(rows[0]).toMatchObject({ dxMid: 'E1122|I5022', firstMid: '19783|20028', lastMid: '20016|20028', npiMid: '3333333333|', dxInit: 'E1122|I5022', nDx: 5, nDxInit: 3 });
    // mk 3: born 1890-01-01, 135 on Feb 1 2025; its 1 + 1 diagnoses (2024-02-01) are counted as unscored.
    expect(rejected).toEqual(['3,2024,birth_date,age 135 on February 1 is over 125\n']);
    expect(unscored).toEqual({ mid: 1, init: 1 });
  });
});
