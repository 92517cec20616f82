// `rafcast load` end to end on small files: typed Parquet outputs (owner-only), quarantines
// beside the inputs, and counts that reconcile per file. Expected values come from the rows
// written here.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDuckDb, sqlString } from '../data/duckdb.ts';
import { loadContract } from './load-contract.ts';
import { tempDir } from '../test/temp-dir.ts';

describe('loadContract', () => {
  it('loads members, enrollment and claims to typed Parquet, rejecting what the contract rejects', async () => {
    const dir = tempDir('load');
    const file = (name: string, lines: string[]) => {
      writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
      return join(dir, name);
    };
    const members = file('members.csv', ['member_id,birth_date,sex,orec,death_date', 'M1,1950-02-01,F,0,', 'M2,1961-05-05,M,1,']);
    const enrollment = file('enrollment.csv', [
      'member_id,year,months_enrolled,dual_status,institutional,new_enrollee,contract_id',
      'M1,2025,12,full,false,false,H1',
      'M9,2025,12,none,false,false,H1',
    ]);
    const claims = file('claims.csv', [
      'claim_id,member_id,claim_type,bill_type,from_date,thru_date,procedure_codes,diagnosis_codes,paid_amount,rendering_npi',
      'C1,M1,professional,,2025-02-03,2025-02-03,99214,E11.22|I50.22,182.40,1234567893',
      'C2,M2,outpatient,131,2025-04-01,2025-04-01,99213,N18.4,75.00,',
      'C3,M2,outpatient,131,2025-04-01,2025-04-01,99213,N18.4,-75.00,',
    ]);
    const out = join(dir, 'loaded');
    const seen: string[] = [];
    const loaded = await loadContract({ files: { members, enrollment, claims }, out, maxRejectedShare: 0.5 }, (t) => seen.push(t));
    expect(seen).toEqual(['members', 'enrollment', 'claims']);
    expect(loaded.map((l) => [l.table, l.read, l.accepted, l.rejected])).toEqual([
      ['members', 2, 2, 0],
      ['enrollment', 2, 1, 1],
      ['claims', 3, 2, 1],
    ]);
    const db = await openDuckDb();
    const read = async (name: string) =>
      (await db.connection.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(join(out, `${name}.parquet`))})`)).getRowObjectsJson();
    expect((await read('claims')).map((c) => [c.claim_id, c.diagnosis_codes, c.paid_amount])).toEqual([
      ['C1', ['E1122', 'I5022'], '182.40'],
      ['C2', ['N184'], '75.00'],
    ]);
    expect((await read('enrollment')).map((e) => [e.member_id, e.year, e.dual_status])).toEqual([['M1', 2025, 'full']]);
    db.close();
    for (const f of ['members', 'enrollment', 'claims']) expect(statSync(join(out, `${f}.parquet`)).mode & 0o777).toBe(0o600);

    // The same load as Arrow IPC holds the same accepted claims.
    await loadContract({ files: { members, enrollment, claims }, out, format: 'arrow', maxRejectedShare: 0.5 });
    const arrow = tableFromIPC(readFileSync(join(out, 'claims.arrow')));
    expect(arrow.toArray().map((c) => [c.claim_id, [...c.diagnosis_codes], c.paid_amount])).toEqual([
      ['C1', ['E1122', 'I5022'], 182.4],
      ['C2', ['N184'], 75],
    ]);
  });

  it('loads the optional files given (pharmacy, labs, providers) after the others, typed, and skips the absent ones', async () => {
    const dir = tempDir('load');
    const file = (name: string, lines: string[]) => {
      writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
      return join(dir, name);
    };
    const members = file('members.csv', ['member_id,birth_date,sex,orec,death_date', 'M1,1950-02-01,F,0,']);
    const pharmacy = file('pharmacy.csv', [
      'fill_id,member_id,fill_date,received_date,ndc,atc_code,days_supply,paid_amount,prescriber_npi',
      'F1,M1,2025-02-10,,,a10ae04,30,42.17,',
      'F2,M2,2025-02-10,,,A10AE04,30,42.17,',
    ]);
    const providers = file('providers.csv', ['npi,name,specialty,tin,practice_name,partner', '1234567893,Dr. A. Rivera,08,123456789,,yes']);
    const out = join(dir, 'loaded');
    const seen: string[] = [];
    const loaded = await loadContract({ files: { members, pharmacy, providers }, out, maxRejectedShare: 0.5 }, (t) => seen.push(t));
    // No labs file: none loaded, none written. F2's member is not in the members file: 2 = 1 + 1.
    expect(seen).toEqual(['members', 'pharmacy', 'providers']);
    expect(loaded.map((l) => [l.table, l.read, l.accepted, l.rejected])).toEqual([
      ['members', 1, 1, 0],
      ['pharmacy', 2, 1, 1],
      ['providers', 1, 1, 0],
    ]);
    const db = await openDuckDb();
    const read = async (name: string) =>
      (await db.connection.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(join(out, `${name}.parquet`))})`)).getRowObjectsJson();
    expect((await read('pharmacy')).map((f) => [f.fill_id, f.fill_date, f.atc_code, f.days_supply])).toEqual([['F1', '2025-02-10', 'A10AE04', 30]]);
    expect((await read('providers')).map((p) => [p.npi, p.partner])).toEqual([['1234567893', true]]);
    db.close();
    for (const f of ['pharmacy', 'providers', 'pharmacy.rejected']) expect(statSync(join(out, `${f}.${f.endsWith('rejected') ? 'csv' : 'parquet'}`)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'pharmacy.rejected.csv'), 'utf8')).toBe(`file,row,field,reason\n${pharmacy},2,member_id,member_id is not in the members file\n`);
  });
});
