// Loading the input contract: each broken-file case of issue 3 with its exact outcome (which
// rows are accepted, which are quarantined with which row, field and reason, and the counts).
// Expected values are spelled out from the files written here.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAIMS, ENROLLMENT, MEMBERS } from './contract.ts';
import { sqlString } from './duckdb.ts';
import { loadContractFile } from './load-contract-file.ts';
import { rejectedLines, useContractBench } from '../test/contract-bench.ts';

const bench = useContractBench('contract');
const { write, rows } = bench;
const rejected = rejectedLines;

const MEMBERS_CSV = [
  'member_id,birth_date,sex,orec,death_date',
  'M1,1950-02-01,F,0,',
  'M2,1960-07-15,m,1,',
  'M3,1941-12-31,F,0,2024-03-01',
].join('\n');

async function loadMembers(): Promise<void> {
  await loadContractFile(bench.conn, MEMBERS, write('members.csv', `${MEMBERS_CSV}\n`));
}

describe('members', () => {
  it('loads valid rows typed, with sex upper-cased and blank death dates as NULL', async () => {
    const s = await loadContractFile(bench.conn, MEMBERS, write('members.csv', `${MEMBERS_CSV}\n`));
    expect(s).toMatchObject({ read: 3, accepted: 3, rejected: 0 });
    expect(await rows('SELECT member_id, birth_date::VARCHAR AS b, sex, orec, death_date::VARCHAR AS d FROM members')).toEqual([
      { member_id: 'M1', b: '1950-02-01', sex: 'F', orec: '0', d: null },
      { member_id: 'M2', b: '1960-07-15', sex: 'M', orec: '1', d: null },
      { member_id: 'M3', b: '1941-12-31', sex: 'F', orec: '0', d: '2024-03-01' },
    ]);
    expect(statSync(`${join(bench.dir, 'members.csv')}.rejected.csv`).mode & 0o777).toBe(0o600);
  });

  it("takes CMS's sex codes 1 and 2 as M and F, as score does (one definition: contract.ts)", async () => {
    const p = write('members-codes.csv', ['member_id,birth_date,sex,orec,death_date', 'C1,1950-01-01,1,0,', 'C2,1950-01-01,2,0,', 'C3,1950-01-01,3,0,'].join('\n'));
    const s = await loadContractFile(bench.conn, MEMBERS, p, { maxRejectedShare: 1 });
    expect(s).toMatchObject({ read: 3, accepted: 2, rejected: 1 });
    expect(await rows('SELECT member_id, sex FROM members ORDER BY member_id')).toEqual([{ member_id: 'C1', sex: 'M' }, { member_id: 'C2', sex: 'F' }]);
    expect(rejected(p)).toEqual([`${p},3,sex,"expected one of M, F (or 1, 2), found ""3"""`]);
  });

  it('quarantines bad dates, sexes and OREC with the row and field; ids never appear in reasons', async () => {
    const p = write(
      'members.csv',
      [
        'member_id,birth_date,sex,orec,death_date',
        'M1,1950-02-30,F,0,',
        'M2,1960/07/15,F,0,',
        'M3,1950-01-01,X,0,',
        'M4,1950-01-01,F,7,',
        'M5,1950-01-01,F,0,1949-01-01',
        ',1950-01-01,F,0,',
        'M7,1850-01-01,F,0,',
        'M8,1950-01-01,F,0,',
      ].join('\n'),
    );
    const s = await loadContractFile(bench.conn, MEMBERS, p, { maxRejectedShare: 1 });
    expect(s).toMatchObject({ read: 8, accepted: 1, rejected: 7 });
    expect(rejected(p)).toEqual([
      `${p},1,birth_date,"is not a date that exists, found ""1950-02-30"""`,
      `${p},2,birth_date,"expected a date YYYY-MM-DD, found ""1960/07/15"""`,
      `${p},3,sex,"expected one of M, F (or 1, 2), found ""X"""`,
      `${p},4,orec,"expected one of 0, 1, 2, 3, found ""7"""`,
      `${p},5,death_date,death_date is before birth_date`,
      `${p},6,member_id,is required`,
      `${p},7,birth_date,"expected a date from 1900-01-02 to 2100-12-31, found ""1850-01-01"""`,
    ]);
    expect(s.rejectedByField).toEqual({ birth_date: 3, death_date: 1, member_id: 1, orec: 1, sex: 1 });
  });

  it('stops on a wrong header, naming what is missing and what was expected', async () => {
    const p = write('members.csv', 'member_id,birthdate,sex,orec\nM1,1950-01-01,F,0\n');
    await expect(loadContractFile(bench.conn, MEMBERS, p)).rejects.toThrow(
      /row 0: the header of the members file lacks birth_date; expected member_id, birth_date, sex, orec, death_date \(optional\)/,
    );
    const q = write('members2.csv', 'member_id,birth_date,sex,orec,zip\nM1,1950-01-01,F,0,53201\n');
    await expect(loadContractFile(bench.conn, MEMBERS, q)).rejects.toThrow(/unknown columns zip/);
  });

  it('an empty file is a header error', async () => {
    await expect(loadContractFile(bench.conn, MEMBERS, write('members.csv', ''))).rejects.toMatchObject({
      code: 'E_INPUT_HEADER',
    });
  });

  it('reads a BOM, CRLF line ends and quoted commas; an empty line is quarantined, not skipped', async () => {
    const p = write(
      'members.csv',
      '\ufeffmember_id,birth_date,sex,orec,death_date\r\n"M,1",1950-02-01,F,0,\r\n\r\n"M ""2""",1960-07-15,M,1,\r\nM3,1941-12-31,F\r\n',
    );
    const s = await loadContractFile(bench.conn, MEMBERS, p);
    expect(s).toMatchObject({ read: 4, accepted: 2, rejected: 2 });
    expect(await rows('SELECT member_id FROM members')).toEqual([{ member_id: 'M,1' }, { member_id: 'M "2"' }]);
    expect(rejected(p)).toEqual([`${p},2,,empty line`, `${p},4,,"expected 5 fields as in the header, found 3"`]);
  });
});

describe('claims', () => {
  const header = 'claim_id,member_id,claim_type,bill_type,from_date,thru_date,procedure_codes,diagnosis_codes,paid_amount,rendering_npi';

  it('quarantines negative amounts, unknown members, duplicate claim ids and bad codes; the rest load typed', async () => {
    await loadMembers();
    const p = write(
      'claims.csv',
      [
        header,
        'C1,M1,professional,,2025-02-03,2025-02-03,99214|83036,E11.22|i50.22,182.40,1234567893',
        'C2,M1,professional,,2025-02-03,2025-02-03,99213,E11.9,-5.00,',
        'C3,M9,professional,,2025-02-03,2025-02-03,99213,E11.9,5,',
        'C1,M2,professional,,2025-03-03,2025-03-03,99213,E11.9,5,',
        'C5,M2,inpatient,0111,2025-03-01,2025-03-05,,I50.22|E11.22,9000.5,',
        'C6,M2,inpatient,,2025-03-01,2025-03-05,,I50.22,900,',
        'C7,M2,professional,,2025-03-05,2025-03-01,99213,I50.22,90,',
        'C8,M2,outpatient,131,2025-03-01,2025-03-01,99213,XYZ,90,',
        'C9,M2,professional,,2025-03-01,2025-03-01,9921,I10,90,',
        'C10,M2,professional,,2025-03-01,2025-03-01,99213,,90,',
      ].join('\n'),
    );
    const s = await loadContractFile(bench.conn, CLAIMS, p, { maxRejectedShare: 1 });
    expect(s).toMatchObject({ read: 10, accepted: 2, rejected: 8 });
    expect(rejected(p)).toEqual([
      `${p},2,paid_amount,"is negative, found ""-5.00"""`,
      `${p},3,member_id,member_id is not in the members file`,
      `${p},4,claim_id,duplicate claim_id (first at row 1)`,
      `${p},6,bill_type,a facility claim needs a bill_type`,
      `${p},7,thru_date,thru_date is before from_date`,
      `${p},8,diagnosis_codes,"not an ICD-10-CM code: ""XYZ"""`,
      `${p},9,procedure_codes,"not a CPT/HCPCS code: ""9921"""`,
      `${p},10,diagnosis_codes,is required`,
    ]);
    expect(
      await rows(
        'SELECT claim_id, bill_type, procedure_codes::VARCHAR AS px, diagnosis_codes::VARCHAR AS dx, paid_amount::VARCHAR AS paid FROM claims',
      ),
    ).toEqual([
      { claim_id: 'C1', bill_type: null, px: '[99214, 83036]', dx: '[E1122, I5022]', paid: '182.40' },
      { claim_id: 'C5', bill_type: '111', px: '[]', dx: '[I5022, E1122]', paid: '9000.50' },
    ]);
  });

  it('takes diagnoses as wide columns dx1..dxN, in column order, blanks skipped', async () => {
    await loadMembers();
    const p = write(
      'claims.csv',
      [
        'claim_id,member_id,claim_type,bill_type,from_date,thru_date,procedure_codes,dx2,dx1,dx10,paid_amount,rendering_npi',
        'C1,M1,professional,,2025-02-03,2025-02-03,99214,I50.22,E11.22,N18.4,10,',
        'C2,M1,professional,,2025-02-03,2025-02-03,99214,,E11.9,,10,',
      ].join('\n'),
    );
    expect(await loadContractFile(bench.conn, CLAIMS, p)).toMatchObject({ accepted: 2, rejected: 0 });
    expect(await rows('SELECT diagnosis_codes::VARCHAR AS dx FROM claims')).toEqual([{ dx: '[E1122, I5022, N184]' }, { dx: '[E119]' }]);
  });

  it('reads Parquet with list columns, numbering rows from 1', async () => {
    await loadMembers();
    const p = join(bench.dir, 'claims.parquet');
    await bench.conn.run(
      `COPY (SELECT * FROM (VALUES
         ('C1', 'M1', 'professional', NULL, DATE '2025-02-03', DATE '2025-02-03', ['99214'], ['E11.22'], 10.5, NULL),
         ('C2', 'M1', 'professional', NULL, DATE '2025-02-03', DATE '2025-02-03', ['99214'], ['E11.22'], -1.0, NULL))
       t(claim_id, member_id, claim_type, bill_type, from_date, thru_date, procedure_codes, diagnosis_codes, paid_amount, rendering_npi))
       TO ${sqlString(p)} (FORMAT parquet)`,
    );
    const s = await loadContractFile(bench.conn, CLAIMS, p);
    expect(s).toMatchObject({ read: 2, accepted: 1, rejected: 1 });
    expect(rejected(p)).toEqual([`${p},2,paid_amount,"is negative, found ""-1.0"""`]);
  });

  it('checks typed Parquet columns by presence and range, and stores code lists normalised', async () => {
    // DATE, DECIMAL(10,2) and list columns skip the text round trip; a DOUBLE amount may hold
    // more than the contract's two decimals, so it takes the text checks.
    await loadMembers();
    const base = join(bench.dir, 'base.parquet');
    await bench.conn.run(
      `COPY (SELECT * FROM (VALUES
         ('C1', 'M1', 'professional', NULL, DATE '2025-02-03', DATE '2025-02-03', ['99214'], ['E1122', 'I5022'], 10.50::DECIMAL(10,2), 1.234::DOUBLE),
         ('C2', 'M1', 'professional', NULL, DATE '1850-02-03', DATE '2025-02-03', ['99214'], ['E1122'], 1.00::DECIMAL(10,2), 1.234::DOUBLE),
         ('C3', 'M1', 'professional', NULL, NULL, DATE '2025-02-03', ['99214'], ['E1122'], 1.00::DECIMAL(10,2), 1.234::DOUBLE),
         ('C4', 'M1', 'professional', NULL, DATE '2025-02-03', DATE '2025-02-03', ['99214'], [' e11.22 ', 'i50.22'], 2.00::DECIMAL(10,2), 1.234::DOUBLE),
         ('C5', 'M1', 'professional', NULL, DATE '2025-02-03', DATE '2025-02-03', [' 99214'], [' E1122'], 3.00::DECIMAL(10,2), 1.234::DOUBLE),
         ('C6', 'M1', 'professional', NULL, DATE '2025-02-03', DATE '2025-02-03', ['99214', NULL], [NULL, 'E1122', ''], 4.00::DECIMAL(10,2), 1.234::DOUBLE))
       t(claim_id, member_id, claim_type, bill_type, from_date, thru_date, procedure_codes, diagnosis_codes, paid_amount, amount_double))
       TO ${sqlString(base)} (FORMAT parquet)`,
    );
    const p = join(bench.dir, 'typed.parquet');
    const q = join(bench.dir, 'double.parquet');
    await bench.conn.run(`COPY (SELECT * EXCLUDE (amount_double) FROM read_parquet(${sqlString(base)})) TO ${sqlString(p)} (FORMAT parquet)`);
    await bench.conn.run(
      `COPY (SELECT * EXCLUDE (amount_double) REPLACE (amount_double AS paid_amount) FROM read_parquet(${sqlString(base)})) TO ${sqlString(q)} (FORMAT parquet)`,
    );
    const s = await loadContractFile(bench.conn, CLAIMS, p, { maxRejectedShare: 1 });
    expect(s).toMatchObject({ read: 6, accepted: 4, rejected: 2 });
    expect(rejected(p)).toEqual([
      `${p},2,from_date,"expected a date from 2000-01-01 to 2100-12-31, found ""1850-02-03"""`,
      `${p},3,from_date,is required`,
    ]);
    // Padding, a missing (NULL) or an empty code in a list is tidied away, never stored.
    expect(await rows('SELECT claim_id, procedure_codes::VARCHAR AS px, diagnosis_codes::VARCHAR AS dx, paid_amount::VARCHAR AS paid FROM claims')).toEqual([
      { claim_id: 'C1', px: '[99214]', dx: '[E1122, I5022]', paid: '10.50' },
      { claim_id: 'C4', px: '[99214]', dx: '[E1122, I5022]', paid: '2.00' },
      { claim_id: 'C5', px: '[99214]', dx: '[E1122]', paid: '3.00' },
      { claim_id: 'C6', px: '[99214]', dx: '[E1122]', paid: '4.00' },
    ]);
    expect(await loadContractFile(bench.conn, CLAIMS, q, { maxRejectedShare: 1 })).toMatchObject({ accepted: 0, rejected: 6 });
    expect(rejected(q)[0]).toBe(`${q},1,paid_amount,"expected an amount in dollars such as 182.40, found ""1.234"""`);
  });

  it('reads record_source and procedure_modifiers: absent or blank is an encounter with no modifier; bad values are quarantined', async () => {
    await loadMembers();
    const p = write(
      'claims.csv',
      [
        'claim_id,member_id,claim_type,bill_type,from_date,thru_date,procedure_codes,procedure_modifiers,diagnosis_codes,paid_amount,rendering_npi,record_source',
        'C1,M1,professional,,2026-02-03,2026-02-03,99214,93,E11.22,80.00,,',
        'C2,M1,professional,,2026-02-03,2026-02-03,99214, fq |25,E11.22,80.00,,encounter',
        'C3,M1,professional,,2026-02-04,2026-02-04,99214,,E11.22,0.00,,Chart_Review_Linked',
        'C4,M1,professional,,2026-02-05,2026-02-05,99214,,E11.22,0.00,,chart_review_unlinked',
        'C5,M2,professional,,2026-02-05,2026-02-05,99214,,E11.22,0.00,,chart review',
        'C6,M2,professional,,2026-02-05,2026-02-05,99214,093,E11.22,0.00,,',
        'C7,M2,professional,,2026-02-05,2026-02-05,99214,9|93,E11.22,0.00,,',
      ].join('\n'),
    );
    const s = await loadContractFile(bench.conn, CLAIMS, p, { maxRejectedShare: 1 });
    expect(s).toMatchObject({ read: 7, accepted: 4, rejected: 3 });
    // The value is quoted (never a member id), as for every other field.
    expect(rejected(p)).toEqual([
      `${p},5,record_source,"expected one of encounter, chart_review_linked, chart_review_unlinked, found ""chart review"""`,
      `${p},6,procedure_modifiers,"not a modifier (2 letters or digits): ""093"""`,
      `${p},7,procedure_modifiers,"not a modifier (2 letters or digits): ""9"""`,
    ]);
    expect(s.rejectedByField).toEqual({ record_source: 1, procedure_modifiers: 2 });
    expect(await rows('SELECT claim_id, procedure_modifiers::VARCHAR AS mods, record_source FROM claims')).toEqual([
      { claim_id: 'C1', mods: '[93]', record_source: 'encounter' },
      { claim_id: 'C2', mods: '[FQ, 25]', record_source: 'encounter' },
      { claim_id: 'C3', mods: '[]', record_source: 'chart_review_linked' },
      { claim_id: 'C4', mods: '[]', record_source: 'chart_review_unlinked' },
    ]);
    // A file without the two columns (as before them, and DE-SynPUF's): encounters, no modifiers.
    const q = write('old.csv', `${header}\nC1,M1,professional,,2025-02-03,2025-02-03,99214,E11.22,1,\n`);
    expect(await loadContractFile(bench.conn, CLAIMS, q)).toMatchObject({ accepted: 1, rejected: 0 });
    expect(await rows('SELECT procedure_modifiers::VARCHAR AS mods, record_source FROM claims')).toEqual([{ mods: '[]', record_source: 'encounter' }]);
  });

  it('claims before members is a configuration error', async () => {
    const p = write('claims.csv', `${header}\nC1,M1,professional,,2025-02-03,2025-02-03,99214,E11.22,1,\n`);
    await expect(loadContractFile(bench.conn, CLAIMS, p)).rejects.toThrow(/load the members file before the claims file/);
  });

  it('stops when more than the allowed share of rows is bad, after writing the reasons', async () => {
    await loadMembers();
    const p = write('claims.csv', `${header}\nC1,M1,professional,,2025-02-03,2025-02-03,99214,E11.22,-1,\nC2,M1,professional,,2025-02-03,2025-02-03,99214,E11.22,1,\n`);
    await expect(loadContractFile(bench.conn, CLAIMS, p, { maxRejectedShare: 0.4 })).rejects.toMatchObject({
      code: 'E_TOO_MANY_REJECTED',
    });
    expect(rejected(p)).toHaveLength(1);
  });
});

describe('enrollment', () => {
  it('checks months, dual status and booleans; a member-year appears once', async () => {
    await loadMembers();
    const p = write(
      'enrollment.csv',
      [
        'member_id,year,months_enrolled,dual_status,institutional,new_enrollee,contract_id',
        'M1,2025,12,none,false,false,H1234',
        'M1,2025,6,none,false,false,H1234',
        'M2,2025,13,full,false,false,',
        'M2,2024,12,Full,yes,0,',
        'M3,2024,12,half,false,false,',
      ].join('\n'),
    );
    const s = await loadContractFile(bench.conn, ENROLLMENT, p, { maxRejectedShare: 1 });
    expect(s).toMatchObject({ read: 5, accepted: 2, rejected: 3 });
    expect(rejected(p)).toEqual([
      `${p},2,year,duplicate member_id and year (first at row 1)`,
      `${p},3,months_enrolled,"expected a whole number from 0 to 12, found ""13"""`,
      `${p},5,dual_status,"expected one of none, partial, full, found ""half"""`,
    ]);
    expect(await rows('SELECT member_id, year, dual_status, institutional, new_enrollee FROM enrollment')).toEqual([
      { member_id: 'M1', year: 2025, dual_status: 'none', institutional: false, new_enrollee: false },
      { member_id: 'M2', year: 2024, dual_status: 'full', institutional: true, new_enrollee: false },
    ]);
  });
});
