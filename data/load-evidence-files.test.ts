// Loading issue 17's optional files (pharmacy, labs, providers: data/README.md): each new check
// with its exact outcome (row, field, reason) and the counts, worked out by hand from the rows
// written here; member ids never in a reason.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { LABS, MEMBERS, PHARMACY, PROVIDERS } from './contract.ts';
import { copyAtomically } from './duckdb.ts';
import { loadContractFile } from './load-contract-file.ts';
import { findOptionalDataFiles } from './contract-files.ts';
import { attachCheckedData, loadStagedContract } from './staged-contract.ts';
import { rejectedLines, useContractBench } from '../test/contract-bench.ts';
import { tempDir } from '../test/temp-dir.ts';

const bench = useContractBench('evidence-files');
const { write, rows } = bench;
const rejected = rejectedLines;
beforeEach(async () => {
  await loadContractFile(bench.conn, MEMBERS, write('members.csv', 'member_id,birth_date,sex,orec,death_date\nM1,1950-02-01,F,0,\nM2,1960-07-15,M,1,\n'));
});

describe('pharmacy', () => {
  const HEADER = 'fill_id,member_id,fill_date,received_date,ndc,atc_code,days_supply,paid_amount,prescriber_npi';

  it('stores an NDC without its dashes and an ATC code upper-case, and a blank received_date as NULL', async () => {
    const p = write('pharmacy.csv', `${HEADER}\nF1,M1,2025-02-10,,00002-8215-01,a10ae04,30,42.17,1234567893\nF2,M2,2025-03-01,2025-03-02,,B01AF,90,0,\n`);
    const s = await loadContractFile(bench.conn, PHARMACY, p);
    expect(s).toMatchObject({ read: 2, accepted: 2, rejected: 0 });
    expect(await rows('SELECT fill_id, fill_date::VARCHAR AS d, received_date::VARCHAR AS r, ndc, atc_code, days_supply, paid_amount::VARCHAR AS paid, prescriber_npi FROM pharmacy')).toEqual([
      { fill_id: 'F1', d: '2025-02-10', r: null, ndc: '00002821501', atc_code: 'A10AE04', days_supply: 30, paid: '42.17', prescriber_npi: '1234567893' },
      { fill_id: 'F2', d: '2025-03-01', r: '2025-03-02', ndc: null, atc_code: 'B01AF', days_supply: 90, paid: '0.00', prescriber_npi: null },
    ]);
    expect(statSync(`${p}.rejected.csv`).mode & 0o777).toBe(0o600);
  });

  it('quarantines a bad NDC, a bad ATC code, a fill with neither, a bad supply, an unknown member and a repeated fill_id', async () => {
    const p = write(
      'pharmacy.csv',
      [
        HEADER,
        'F1,M1,2025-02-10,,0002-8215-01,,30,10,', // 10 digits once the dashes go: not an 11-digit NDC
        'F2,M1,2025-02-10,,,A1A,30,10,', // A1A: one digit where ATC level 3 has two (A10A)
        'F3,M1,2025-02-10,,,,30,10,', // neither ndc nor atc_code
        'F4,M1,2025-02-10,,,A10A,0,10,', // days_supply 0: below 1
        'F5,M9,2025-02-10,,,A10A,30,10,', // M9 is not in the members file
        'F6,M1,2025-02-10,2025-02-09,,A10A,30,10,', // received the day before the fill
        'F7,M2,2025-02-10,,,N05AH04,30,10,', // accepted
        'F7,M1,2025-02-11,,,N05AH04,30,10,', // F7 again: the later row goes
      ].join('\n'),
    );
    const s = await loadContractFile(bench.conn, PHARMACY, p, { maxRejectedShare: 1 });
    // 8 rows read = 1 accepted (row 7) + 7 rejected.
    expect(s).toMatchObject({ read: 8, accepted: 1, rejected: 7 });
    expect(s.rejectedByField).toEqual({ ndc: 1, atc_code: 2, days_supply: 1, member_id: 1, received_date: 1, fill_id: 1 });
    expect(rejected(p)).toEqual([
      `${p},1,ndc,"expected an 11-digit NDC (dashes are dropped), found ""0002-8215-01"""`,
      `${p},2,atc_code,"expected an ATC code of level 3 to 5 such as A10A or B01AF01, found ""A1A"""`,
      `${p},3,atc_code,a fill needs an ndc or an atc_code`,
      `${p},4,days_supply,"expected a whole number from 1 to 365, found ""0"""`,
      `${p},5,member_id,member_id is not in the members file`,
      `${p},6,received_date,received_date is before fill_date`,
      `${p},8,fill_id,duplicate fill_id (first at row 7)`,
    ]);
    expect(readFileSync(`${p}.rejected.csv`, 'utf8')).not.toContain('M9');
  });
});

describe('labs', () => {
  const HEADER = 'result_id,member_id,result_date,received_date,loinc,value,unit,ordering_npi';

  it('quarantines a bad LOINC, a value that is not a number, a lab for an unknown member; the value is a DOUBLE', async () => {
    const p = write(
      'labs.csv',
      [
        HEADER,
        'L1,M1,2025-03-04,2025-03-06,33914-3,38.5,mL/min/1.73m2,1234567893',
        'L2,M1,2025-03-04,,339143,38.5,mL/min/1.73m2,', // no dash before the check digit
        'L3,M1,2025-03-04,,4548-4,high,%,', // not a number
        'L4,M7,2025-03-04,,39156-5,41.2,kg/m2,', // M7 is not in the members file
        'L5,M2,2025-03-04,,4548-4,7,%,', // accepted: 7 is a number
        'L6,M2,1959-01-01,,4548-4,6.1,%,', // before 2000-01-01
      ].join('\n'),
    );
    const s = await loadContractFile(bench.conn, LABS, p, { maxRejectedShare: 1 });
    // 6 rows read = 2 accepted (L1, L5) + 4 rejected.
    expect(s).toMatchObject({ read: 6, accepted: 2, rejected: 4 });
    expect(rejected(p)).toEqual([
      `${p},2,loinc,"expected a LOINC code such as 33914-3, found ""339143"""`,
      `${p},3,value,"expected a number such as 38.5, found ""high"""`,
      `${p},4,member_id,member_id is not in the members file`,
      `${p},6,result_date,"expected a date from 2000-01-01 to 2100-12-31, found ""1959-01-01"""`,
    ]);
    expect(readFileSync(`${p}.rejected.csv`, 'utf8')).not.toContain('M7');
    expect(await rows('SELECT result_id, loinc, value, typeof(value) AS t, unit FROM labs')).toEqual([
      { result_id: 'L1', loinc: '33914-3', value: 38.5, t: 'DOUBLE', unit: 'mL/min/1.73m2' },
      { result_id: 'L5', loinc: '4548-4', value: 7, t: 'DOUBLE', unit: '%' },
    ]);
  });

  it('reads a Parquet value column of DOUBLE as it is, and rejects NaN', async () => {
    const parquet = join(bench.dir, 'labs.parquet');
    await copyAtomically(
      bench.conn,
      `SELECT * FROM (VALUES ('L1', 'M1', DATE '2025-03-04', NULL::DATE, '33914-3', 52.25::DOUBLE, 'mL/min/1.73m2', NULL::VARCHAR),
                             ('L2', 'M1', DATE '2025-03-04', NULL::DATE, '33914-3', 'NaN'::DOUBLE, 'mL/min/1.73m2', NULL::VARCHAR))
         t(result_id, member_id, result_date, received_date, loinc, value, unit, ordering_npi)`,
      parquet,
      'parquet',
    );
    const s = await loadContractFile(bench.conn, LABS, parquet, { maxRejectedShare: 1 });
    expect(s).toMatchObject({ read: 2, accepted: 1, rejected: 1 });
    expect(rejected(parquet)).toEqual([`${parquet},2,value,"expected a number such as 38.5, found ""nan"""`]);
    expect(await rows('SELECT value FROM labs')).toEqual([{ value: 52.25 }]);
  });
});

describe('providers', () => {
  const HEADER = 'npi,name,specialty,tin,practice_name,partner';

  it('quarantines a bad TIN and a bad specialty; a blank partner is false; a TIN loses its dash', async () => {
    const p = write(
      'providers.csv',
      [
        HEADER,
        '1234567893,Dr. A. Rivera,08,12-3456789,Lakeside Family Medicine,true',
        '1234567801,Dr. B. Chen,11,12345678,Lakeside Family Medicine,', // 8 digits
        '1234567802,Dr. C. Osei,1,123456789,,', // a 1-character specialty
        '1234567803,General Hospital,a0,987654321,,', // accepted, specialty stored A0
      ].join('\n'),
    );
    const s = await loadContractFile(bench.conn, PROVIDERS, p, { maxRejectedShare: 1 });
    expect(s).toMatchObject({ read: 4, accepted: 2, rejected: 2 });
    expect(rejected(p)).toEqual([
      `${p},2,tin,"expected a 9-digit TIN, found ""12345678"""`,
      `${p},3,specialty,"expected a 2-character CMS specialty code, found ""1"""`,
    ]);
    expect(await rows('SELECT npi, specialty, tin, practice_name, partner FROM providers')).toEqual([
      { npi: '1234567893', specialty: '08', tin: '123456789', practice_name: 'Lakeside Family Medicine', partner: true },
      { npi: '1234567803', specialty: 'A0', tin: '987654321', practice_name: null, partner: false },
    ]);
  });

  it('takes a file without the optional columns (practice_name, partner)', async () => {
    const p = write('providers.csv', 'npi,name,specialty,tin\n1234567893,Dr. A. Rivera,08,123456789\n');
    expect(await loadContractFile(bench.conn, PROVIDERS, p)).toMatchObject({ read: 1, accepted: 1, rejected: 0 });
    expect(await rows('SELECT practice_name, partner FROM providers')).toEqual([{ practice_name: null, partner: false }]);
  });
});

describe('findOptionalDataFiles', () => {
  it('finds the optional files a folder has and leaves out the absent ones', () => {
    const folder = tempDir('optional-files');
    writeFileSync(join(folder, 'labs.csv'), '');
    writeFileSync(join(folder, 'providers.parquet'), '');
    expect(findOptionalDataFiles(folder)).toEqual({ labs: join(folder, 'labs.csv'), providers: join(folder, 'providers.parquet') });
    expect(findOptionalDataFiles(tempDir('optional-files'))).toEqual({});
  });
});

describe('staging (loadStagedContract, attachCheckedData)', () => {
  const views = async (): Promise<string[]> => (await rows(`SELECT view_name AS v FROM duckdb_views() WHERE NOT internal ORDER BY v`)).map((r) => String(r.v));

  it('stages the optional files given as typed views, and none for the absent ones', async () => {
    const members = join(bench.dir, 'members.csv');
    const enrollment = write('enrollment.csv', 'member_id,year,months_enrolled,dual_status,institutional,new_enrollee,contract_id\nM1,2025,12,none,false,false,\n');
    const claims = write('claims.csv', 'claim_id,member_id,claim_type,bill_type,from_date,thru_date,procedure_codes,diagnosis_codes,paid_amount,rendering_npi\nC1,M1,professional,,2025-02-03,2025-02-03,99214,E11.9,10.00,\n');
    const labs = write('labs.csv', 'result_id,member_id,result_date,received_date,loinc,value,unit,ordering_npi\nL1,M1,2025-03-04,,33914-3,38,mL/min/1.73m2,\n');
    const loaded = await loadStagedContract(bench.conn, { members, enrollment, claims, labs }, tempDir('evidence-work'), { rejectedDir: tempDir('evidence-rejected') });
    expect(loaded.map((l) => [l.table, l.accepted])).toEqual([['members', 2], ['enrollment', 1], ['claims', 1], ['labs', 1]]);
    expect(await views()).toEqual(['claims', 'enrollment', 'labs', 'members']);
    expect(await rows('SELECT typeof(result_date) AS d, typeof(value) AS v FROM labs')).toEqual([{ d: 'DATE', v: 'DOUBLE' }]);
  });

  it('attaches an optional table that every checked folder has, none that no folder has, and refuses one some folders lack', async () => {
    const shards = [tempDir('shard'), tempDir('shard')];
    for (const d of shards) {
      for (const t of ['members', 'enrollment', 'claims', 'providers']) {
        mkdirSync(join(d, t));
        await copyAtomically(bench.conn, `SELECT 1 AS x, 7 AS _row`, join(d, t, '00000.parquet'), 'parquet');
      }
    }
    await attachCheckedData(bench.conn, shards);
    expect(await views()).toEqual(['claims', 'enrollment', 'members', 'providers']);
    // The row numbers stay in the claims' view alone.
    expect(await rows('SELECT * FROM members')).toEqual([{ x: 1 }, { x: 1 }]);
    expect(await rows('SELECT * FROM claims')).toEqual([{ x: 1, _row: 7 }, { x: 1, _row: 7 }]);
    mkdirSync(join(shards[0]!, 'labs'));
    await copyAtomically(bench.conn, `SELECT 1 AS x, 7 AS _row`, join(shards[0]!, 'labs', '00000.parquet'), 'parquet');
    await expect(attachCheckedData(bench.conn, shards)).rejects.toThrow(`${join(shards[1]!, 'labs')} is missing: other folders have labs`);
  });
});
