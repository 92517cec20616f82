// The history's files (write-history.ts; scoring/README.md) from hand-built scorer CSVs and
// member-years: member ids joined back in member_id order, payment year y + 1, each HCC's label from
// the tables its own service year was scored with, the quarantine file, and the counts the run
// reconciles, each worked out beside it.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDb, sqlString } from '../../data/duckdb.ts';
import type { ModelTables } from '../../data/reference/cms-hcc-tables.ts';
import { tempDir } from '../../test/temp-dir.ts';
import type { YearPlan } from './plan-years.ts';
import { writeHistoryParquet, writeRejected, type WrittenHistory } from './write-history.ts';

const plan = (serviceYear: number, tablesYear: number): YearPlan => ({
  serviceYear,
  paymentYear: serviceYear + 1,
  tablesYear: { V24: tablesYear, V28: tablesYear },
  blend: { V28: 1 },
  normalization: { V28: 1 },
  codingAdjustment: 0,
  procedureListYear: serviceYear,
  diagnosisExclusions: [],
});
// Service year 2024 scored with 2025's tables, 2025 with 2026's; only the labels are read here.
const PLANS = [plan(2024, 2025), plan(2025, 2026)];
const labels = (entries: [number, string][]): ModelTables => ({ labels: new Map(entries) }) as unknown as ModelTables;
const TABLES = new Map<string, ModelTables>([
  ['V24/2025', labels([[18, 'Diabetes with Chronic Complications']])],
  ['V28/2025', labels([[37, 'Diabetes with Chronic Complications (2025)']])],
  ['V24/2026', labels([])],
  ['V28/2026', labels([[37, 'Diabetes with Chronic Complications (2026)']])],
]);

describe('writeHistoryParquet and writeRejected', () => {
  let db: { connection: DuckDBConnection; close: () => void };
  let out: string;
  let written: WrittenHistory;
  const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await db.connection.runAndReadAll(sql)).getRowObjectsJson();

  beforeAll(async () => {
    db = await openDuckDb();
    const conn = db.connection;
    const work = tempDir('write-history-work');
    out = tempDir('write-history-out');
    // Keys in member_id order, as member-years.ts gives them.
    await conn.run(`CREATE TABLE _hist_members AS SELECT * FROM (VALUES (0, 'A1'), (1, 'B2'), (2, 'C3')) t(mk, member_id)`);
    await conn.run(
      `CREATE TABLE _hist_my AS SELECT * FROM (VALUES
         (0, 2024, 12, 'none', false, false, 'F', '0'),
         (0, 2025, 9, 'partial', false, false, 'F', '0'), -- A1's enrollment differs by year
         (1, 2024, 7, 'full', true, true, 'M', '1')
       ) t(mk, year, months_enrolled, dual_status, institutional, new_enrollee, sex, orec)`,
    );
    // The scorer's CSVs (HISTORY_CSV_COLUMNS, HCC_CSV_COLUMNS), in the order scoring left them: not member_id's.
    const historyCsv = join(work, 'history.csv');
    const hccCsv = join(work, 'hcc.csv');
    writeFileSync(
      historyCsv,
      [
        '1,2024,NE,70,2,1,0.5,0.6,0.4,0.5,1,1,0.55,0.45,476.77,390.09,520.08',
        '0,2025,CNA,75,0,0,0.4,0.395,0.4,0.395,0,0,0.356,0.356,308.60,308.60,0.00',
        '0,2024,CNA,74,3,0,0.697,0.561,0.395,0.395,1,1,0.505,0.356,437.77,308.60,775.02',
        '',
      ].join('\n'),
    );
    writeFileSync(
      hccCsv,
      [
        '0,2025,V28,37,0.166,20089,20089,2222222222,true', // 2025-01-01 (19,723 + 366)
        '0,2024,V28,37,0.166,19981,20016,2222222222,false', // 2024-09-15 (19,723 + 258), 2024-10-20 (+ 293)
        '0,2024,V24,18,0.302,19981,20016,2222222222,false',
        '1,2024,V28,999,0.1,19783,19783,,true', // 2024-03-01; an HCC with no label in the tables
        '',
      ].join('\n'),
    );
    written = await writeHistoryParquet(conn, out, historyCsv, hccCsv, PLANS, TABLES);
    // C3's 2024 could not be scored; the reason holds a comma, so it is quoted.
    await writeRejected(conn, work, out, ['2,2024,birth_date,"age 135, over 125"\n']);
  });
  afterAll(() => db.close());

  it('writes raf_history in member_id order with payment year y + 1 and the enrollment fields of y', async () => {
    expect(
      await rows(
        `SELECT member_id, year, payment_year, months_enrolled, segment, dual_status, institutional, new_enrollee, raf, monthly_payment::VARCHAR AS m, august_lump_sum::VARCHAR AS lump
         FROM read_parquet(${sqlString(join(out, 'raf_history.parquet'))})`,
      ),
    ).toEqual([
      { member_id: 'A1', year: 2024, payment_year: 2025, months_enrolled: 12, segment: 'CNA', dual_status: 'none', institutional: false, new_enrollee: false, raf: 0.505, m: '437.77', lump: '775.02' },
      { member_id: 'A1', year: 2025, payment_year: 2026, months_enrolled: 9, segment: 'CNA', dual_status: 'partial', institutional: false, new_enrollee: false, raf: 0.356, m: '308.60', lump: '0.00' },
      { member_id: 'B2', year: 2024, payment_year: 2025, months_enrolled: 7, segment: 'NE', dual_status: 'full', institutional: true, new_enrollee: true, raf: 0.55, m: '476.77', lump: '520.08' },
    ]);
  });

  it("labels each HCC from the tables its own service year was scored with, and dates its codes", async () => {
    expect(
      await rows(
        `SELECT member_id, year, model, hcc, description, first_service_date::VARCHAR AS first, last_service_date::VARCHAR AS last, provider_npi, in_initial
         FROM read_parquet(${sqlString(join(out, 'raf_hcc.parquet'))})`,
      ),
    ).toEqual([
      { member_id: 'A1', year: 2024, model: 'V24', hcc: 18, description: 'Diabetes with Chronic Complications', first: '2024-09-15', last: '2024-10-20', provider_npi: '2222222222', in_initial: false },
      { member_id: 'A1', year: 2024, model: 'V28', hcc: 37, description: 'Diabetes with Chronic Complications (2025)', first: '2024-09-15', last: '2024-10-20', provider_npi: '2222222222', in_initial: false },
      { member_id: 'A1', year: 2025, model: 'V28', hcc: 37, description: 'Diabetes with Chronic Complications (2026)', first: '2025-01-01', last: '2025-01-01', provider_npi: '2222222222', in_initial: true },
      { member_id: 'B2', year: 2024, model: 'V28', hcc: 999, description: null, first: '2024-03-01', last: '2024-03-01', provider_npi: null, in_initial: true },
    ]);
  });

  it('counts what it wrote: 3 member-years of 2 members, 4 HCC rows, and the diagnoses the run reconciles', () => {
    // n_dx: 2 + 0 + 3 = 5; n_dx_init: 1 + 0 + 0 = 1.
    expect(written).toMatchObject({ memberYears: 3, members: 2, hccRows: 4, diagnoses: { mid: 5, init: 1 } });
  });

  it('writes the member-years it could not score with their member ids and reasons, owner-only', () => {
    expect(readFileSync(join(out, 'raf_history.rejected.csv'), 'utf8')).toBe('member_id,year,field,reason\nC3,2024,birth_date,"age 135, over 125"\n');
    for (const f of ['raf_history.parquet', 'raf_hcc.parquet', 'raf_history.rejected.csv']) expect(statSync(join(out, f)).mode & 0o777).toBe(0o600);
  });
});
