// The DE-SynPUF import (desynpuf.ts) and `rafcast history` on it. This test reads CMS's sample 1
// from ../shared/external-data: public data no one on the team made, too large (5 MB) to copy
// into the repository for a test, and read-only there. The pinned figures were checked by hand
// against the raw files (members with coverage months and alive per year, claims by reason).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb, sqlString } from '../duckdb.ts';
import { computeHistory } from '../../scoring/history/compute-history.ts';
import { stageContractTable } from '../staged-contract.ts';
import { importDesynpuf, type DesynpufImport } from './desynpuf.ts';
import { tempDir } from '../../test/temp-dir.ts';

const SAMPLE_1 = fileURLToPath(new URL('../../../shared/external-data/desynpuf-milwaukee-10k/1-sample-10000', import.meta.url));
// An older draw of sample 1 with the only outpatient claims file in the shared data (truncated by
// its source: complete for the members before the last id; external-data/PROVENANCE.md section 2).
const SAMPLE_1_OUTPATIENT = fileURLToPath(new URL('../../../shared/external-data/desynpuf-milwaukee-sample1-partial-outpatient', import.meta.url));

const tmp = (): string => tempDir('desynpuf');

describe('importDesynpuf on sample 1', () => {
  let out: string;
  let s: DesynpufImport;
  // The import of 10,000 members took over the 10 s hook default on a busy machine.
  beforeAll(async () => {
    out = tmp();
    s = await importDesynpuf(SAMPLE_1, out);
  }, 120_000);

  it('accounts for every row: imported or rejected with its reason', () => {
    // Row counts from external-data/PROVENANCE.md; the rejects counted in the raw file
    // (7 inpatient claims with no CLM_THRU_DT, 8 with a negative CLM_PMT_AMT).
    expect(s.files).toEqual([
      { file: 'DE1_0_2008_Beneficiary_Summary_File_Sample_1.csv', read: 10000, imported: 10000, rejected: 0 },
      { file: 'DE1_0_2009_Beneficiary_Summary_File_Sample_1.csv', read: 9856, imported: 9856, rejected: 0 },
      { file: 'DE1_0_2010_Beneficiary_Summary_File_Sample_1.csv', read: 9710, imported: 9710, rejected: 0 },
      { file: 'DE1_0_2008_to_2010_Inpatient_Claims_Sample_1.csv', read: 5775, imported: 5760, rejected: 15 },
    ]);
    const reasons = readFileSync(join(out, 'import.rejected.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(-2).join(','));
    const byReason = Object.fromEntries([...new Set(reasons)].map((r) => [r, reasons.filter((x) => x === r).length]));
    expect(byReason).toEqual({ 'CLM_THRU_DT,expected a date YYYYMMDD': 7, 'CLM_PMT_AMT,is negative': 8 });
    expect(s).toMatchObject({ members: 10000, memberYears: 29566, claims: 5760 });
  });

  it('converts ICD-9 through the GEM and counts what does not convert', () => {
    const d = s.diagnoses;
    expect(d.icd9).toBe(d.toOne + d.toSeveral + d.noMap + d.notInGem);
    expect(d.toOne / d.icd9).toBeGreaterThan(0.98);
    expect(d.noMap).toBeGreaterThan(0);
    expect(d.topNotConverted[0]).toMatchObject({ code: expect.any(String), count: expect.any(Number) });
  });

  it('flags every default it gave', () => {
    expect(s.defaults.map((x) => `${x.table}.${x.field}`)).toEqual([
      'enrollment.dual_status',
      'enrollment.institutional',
      'enrollment.new_enrollee',
      'enrollment.months_enrolled',
      'members.orec',
      'claims.bill_type',
      'claims.rendering_npi',
      'claims.received_date',
    ]);
  });

  it('maps the GEM cases as documented: alternatives to the least specific code, combinations to all parts', async () => {
    // 4280 heart failure, unspecified -> I50.9 (not I50.814); 25000 -> E11.9 (data/adapters/README.md).
    const db = await openDuckDb();
    try {
      const rows = (
        await db.connection.runAndReadAll(
          `SELECT list_sort(list_distinct(flatten(list(diagnosis_codes)))) AS codes FROM read_parquet(${sqlString(join(out, 'claims.parquet'))})`,
        )
      ).getRowObjectsJson()[0]!.codes as string[];
      expect(rows).toContain('I509');
      expect(rows).not.toContain('I50814');
      expect(rows).toContain('E119');
    } finally {
      db.close();
    }
  });

  it('gives a history for 2008-2010 with the figures checked by hand', async () => {
    const h = tmp();
    await computeHistory({ data: out, firstYear: 2008, lastYear: 2010, out: h, annualBaseRate: 10402.34, tablesYear: 2025 });
    const db = await openDuckDb();
    try {
      const byYear = (
        await db.connection.runAndReadAll(
          `SELECT year, count(*)::INTEGER AS members, round(avg((n_hcc_v28 > 0)::INTEGER), 4)::DOUBLE AS any_hcc, round(avg(raw_v28), 4)::DOUBLE AS mean_raw
           FROM read_parquet(${sqlString(join(h, 'raf_history.parquet'))}) GROUP BY year ORDER BY year`,
        )
      ).getRowObjectsJson();
      // Members per year: coverage months > 0 and alive on January 1 (9,602 / 9,326 / 9,208 in
      // the raw beneficiary files). Inpatient diagnoses only, so few members have an HCC.
      expect(byYear).toEqual([
        { year: 2008, members: 9602, any_hcc: 0.1259, mean_raw: 0.6774 },
        { year: 2009, members: 9326, any_hcc: 0.1581, mean_raw: 0.6938 },
        { year: 2010, members: 9208, any_hcc: 0.1039, mean_raw: 0.6012 },
      ]);
    } finally {
      db.close();
    }
  });
});

describe('importDesynpuf with an outpatient file', () => {
  it('imports outpatient claims with their HCPCS codes and the outpatient bill type, every row accounted for', async () => {
    const out = tmp();
    const s = await importDesynpuf(SAMPLE_1_OUTPATIENT, out);
    const op = s.files.find((f) => f.file.includes('Outpatient'))!;
    expect(op.read).toBe(11084);
    expect(op.imported + op.rejected).toBe(op.read);
    const db = await openDuckDb();
    try {
      const rows = (
        await db.connection.runAndReadAll(
          `SELECT claim_type, bill_type, count(*)::INTEGER AS n, count(*) FILTER (WHERE len(procedure_codes) > 0)::INTEGER AS with_hcpcs
           FROM read_parquet(${sqlString(join(out, 'claims.parquet'))}) GROUP BY ALL ORDER BY claim_type`,
        )
      ).getRowObjectsJson();
      expect(rows[1]).toMatchObject({ claim_type: 'outpatient', bill_type: '131', n: op.imported });
      expect(Number(rows[1]!.with_hcpcs)).toBeGreaterThan(op.imported / 2);
    } finally {
      db.close();
    }
  });
});

// A hand-written folder in CMS's layout (fixtures/desynpuf-pde/README.md): the shared samples have
// no Prescription Drug Events file, so the mapping is held to eleven rows whose outcome is worked
// out here by hand.
const PDE_FOLDER = fileURLToPath(new URL('./fixtures/desynpuf-pde', import.meta.url));
const PDE_FILE = 'DE1_0_2008_to_2010_Prescription_Drug_Events_Sample_99.csv';

describe('importDesynpuf with a Prescription Drug Events file', () => {
  let out: string;
  let s: DesynpufImport;
  beforeAll(async () => {
    out = tmp();
    s = await importDesynpuf(PDE_FOLDER, out);
  }, 60_000);

  it('maps the events to pharmacy.parquet: PDE_ID, SRVC_DT, PROD_SRVC_ID, DAYS_SUPLY_NUM, TOT_RX_CST_AMT', async () => {
    // Rows 1-3 are the good ones, ordered by member, then date. Row 1: SRVC_DT 20080315 ->
    // 2008-03-15, 30 days, TOT_RX_CST_AMT 60.00 (the gross cost, not PTNT_PAY_AMT 10.00).
    const db = await openDuckDb();
    try {
      const rows = (
        await db.connection.runAndReadAll(
          `SELECT fill_id, member_id, strftime(fill_date, '%Y-%m-%d') AS fill_date, ndc, days_supply, paid_amount::VARCHAR AS paid_amount
           FROM read_parquet(${sqlString(join(out, 'pharmacy.parquet'))})`,
        )
      ).getRowObjectsJson();
      expect(rows).toEqual([
        { fill_id: '839900000000001', member_id: 'F1X7URE00000A001', fill_date: '2008-03-15', ndc: '00002821501', days_supply: 30, paid_amount: '60.00' },
        { fill_id: '839900000000002', member_id: 'F1X7URE00000A001', fill_date: '2009-06-20', ndc: '00093721401', days_supply: 90, paid_amount: '20.00' },
        { fill_id: '839900000000003', member_id: 'F1X7URE00000A002', fill_date: '2010-01-02', ndc: '49999063830', days_supply: 30, paid_amount: '130.00' },
      ]);
    } finally {
      db.close();
    }
    expect(s.fills).toBe(3);
    expect(s.ignored).toEqual([]);
  });

  it('quarantines each bad event with its file, row, field and reason, never the member id; read = imported + rejected', () => {
    // 11 event rows: 3 imported, 8 rejected (rows 4-9, one rule each; rows 10 and 11 both, as
    // which of two events with one PDE_ID is right cannot be told).
    expect(s.files.find((f) => f.file === PDE_FILE)).toEqual({ file: PDE_FILE, read: 11, imported: 3, rejected: 8 });
    const text = readFileSync(join(out, 'import.rejected.csv'), 'utf8');
    const rows = text
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .map(([file, row, field, ...reason]) => ({ file: file!.split('/').pop(), row: Number(row), field, reason: reason.join(',') }));
    expect(rows).toEqual([
      // 0009372140 has 10 digits: which digit a dashless 10-digit NDC lacks cannot be told.
      { file: PDE_FILE, row: 4, field: 'PROD_SRVC_ID', reason: 'expected an 11-digit NDC (the file has no drug class to fall back on)' },
      // F1X7URE00000A099 is in no beneficiary row.
      { file: PDE_FILE, row: 5, field: 'DESYNPUF_ID', reason: 'the member is in no imported beneficiary row' },
      // 20080431: April has 30 days.
      { file: PDE_FILE, row: 6, field: 'SRVC_DT', reason: 'expected a date YYYYMMDD' },
      { file: PDE_FILE, row: 7, field: 'DAYS_SUPLY_NUM', reason: 'expected a whole number of days from 1 to 365' },
      { file: PDE_FILE, row: 8, field: 'TOT_RX_CST_AMT', reason: 'is negative' },
      // 19991231 is before the contract's earliest service date (data/contract.ts DATE_RANGES.service).
      { file: PDE_FILE, row: 9, field: 'SRVC_DT', reason: 'expected a date from 2000-01-01 to 2100-12-31' },
      { file: PDE_FILE, row: 10, field: 'PDE_ID', reason: 'appears twice' },
      { file: PDE_FILE, row: 11, field: 'PDE_ID', reason: 'appears twice' },
    ]);
    expect(text).not.toMatch(/F1X7URE/);
  });

  it('writes a pharmacy file the contract loads whole', async () => {
    // The import rejects what the contract's checks would (data/contract.ts PHARMACY), so the
    // loader accepts all 3 fills.
    const db = await openDuckDb();
    try {
      const work = tmp();
      await stageContractTable(db.connection, 'members', join(out, 'members.parquet'), work, { rejectedDir: work });
      const loaded = await stageContractTable(db.connection, 'pharmacy', join(out, 'pharmacy.parquet'), work, { rejectedDir: work });
      expect(loaded).toMatchObject({ read: 3, accepted: 3, rejected: 0 });
    } finally {
      db.close();
    }
  });

  it('records what the events lack as defaults: no drug class, no prescriber, no received date', () => {
    expect(s.defaults.filter((x) => x.table === 'pharmacy').map((x) => [x.field, x.value, x.rows])).toEqual([
      ['paid_amount', 'TOT_RX_CST_AMT', 3],
      ['atc_code', 'blank', 3],
      ['prescriber_npi', 'blank', 3],
      ['received_date', 'blank: received on fill_date', 3],
    ]);
  });
});
