// The suspects' evidence files through the contract loader (evidence-files.ts), on files written
// here: each bad row quarantined in the folder given with its row, field and reason, the counts
// reconciling (read = accepted + rejected), the views holding the accepted rows only; an absent
// file is an absent evidence type with its reason, and a folder with evidence but no members file
// is refused (their member_id values are checked against it).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWorkDb, type WorkDb } from '../../data/staged-contract.ts';
import { tempDir } from '../../test/temp-dir.ts';
import { attachEvidenceFiles } from './evidence-files.ts';

let db: WorkDb;
let data: string;
let rejected: string;
beforeEach(async () => {
  const dir = tempDir('suspects-evidence');
  data = join(dir, 'data');
  rejected = join(dir, 'rejected');
  mkdirSync(data);
  db = await openWorkDb(dir);
  writeFileSync(join(data, 'members.csv'), 'member_id,birth_date,sex,orec,death_date\nPHI-1,1950-02-01,F,0,\nPHI-2,1960-07-15,M,1,\n');
});
afterEach(() => db.close());

const rows = async (sql: string) => (await db.conn.runAndReadAll(sql)).getRowObjectsJson();

describe('attachEvidenceFiles', () => {
  it('quarantines the bad pharmacy and labs rows in the folder given and keeps the others', async () => {
    writeFileSync(
      join(data, 'pharmacy.csv'),
      [
        'fill_id,member_id,fill_date,received_date,ndc,atc_code,days_supply,paid_amount,prescriber_npi',
        'F1,PHI-1,2024-03-01,,,a10ae04,30,45.10,', // accepted, its ATC code stored upper-case
        'F2,PHI-9,2024-03-01,,,A10AE04,30,45.10,', // PHI-9 is not in the members file
        'F3,PHI-2,2024-04-01,,,B01AF02,30,12.00,', // accepted
      ].join('\n'),
    );
    writeFileSync(
      join(data, 'labs.csv'),
      ['result_id,member_id,result_date,received_date,loinc,value,unit,ordering_npi', 'L1,PHI-1,2024-01-10,,33914-3,40,mL/min/1.73m2,', 'L2,PHI-1,2024-04-09,,33914-3,low,mL/min/1.73m2,'].join('\n'),
    );
    const e = await attachEvidenceFiles(db.conn, data, db.work, { rejectedDir: rejected, maxRejectedShare: 1 });
    expect([e.pharmacy, e.labs, e.absent]).toEqual(['pharmacy', 'labs', {}]);
    // members 2 = 2 + 0; pharmacy 3 = 2 + 1 (row 2, member_id); labs 2 = 1 + 1 (row 2, value).
    expect(e.loaded.map((l) => `${l.table} ${l.read} = ${l.accepted} + ${l.rejected} ${JSON.stringify(l.rejectedByField)}`)).toEqual([
      'members 2 = 2 + 0 {}',
      'pharmacy 3 = 2 + 1 {"member_id":1}',
      'labs 2 = 1 + 1 {"value":1}',
    ]);
    expect(await rows('SELECT fill_id, atc_code FROM pharmacy ORDER BY fill_id')).toEqual([
      { fill_id: 'F1', atc_code: 'A10AE04' },
      { fill_id: 'F3', atc_code: 'B01AF02' },
    ]);
    expect(await rows('SELECT result_id, value FROM labs')).toEqual([{ result_id: 'L1', value: 40 }]);
    const pharmacy = readFileSync(join(rejected, 'pharmacy.rejected.csv'), 'utf8');
    expect(pharmacy).toBe(`file,row,field,reason\n${join(data, 'pharmacy.csv')},2,member_id,member_id is not in the members file\n`);
    const labs = readFileSync(join(rejected, 'labs.rejected.csv'), 'utf8');
    expect(labs.split('\n')[1]).toMatch(new RegExp(`^${join(data, 'labs.csv')},2,value,`));
    expect(pharmacy + labs).not.toContain('PHI-');
    // The data folder is only read.
    expect(existsSync(join(data, 'pharmacy.csv.rejected.csv'))).toBe(false);
  });

  it('an absent file is an absent evidence type with its reason; with none, the members file is not read', async () => {
    writeFileSync(join(data, 'labs.csv'), 'result_id,member_id,result_date,received_date,loinc,value,unit,ordering_npi\nL1,PHI-2,2024-01-10,,39156-5,41,kg/m2,\n');
    const e = await attachEvidenceFiles(db.conn, data, db.work, { rejectedDir: rejected });
    expect([e.pharmacy, e.labs, e.absent]).toEqual([undefined, 'labs', { pharmacy: `no pharmacy.csv or pharmacy.parquet in ${data}` }]);
    const none = tempDir('suspects-no-evidence');
    const n = await attachEvidenceFiles(db.conn, none, db.work, { rejectedDir: join(none, 'rejected') });
    expect([n.loaded, Object.keys(n.absent)]).toEqual([[], ['pharmacy', 'labs']]);
    expect(existsSync(join(none, 'rejected'))).toBe(false);
  });

  it('refuses evidence without a members file to check it against', async () => {
    const dir = tempDir('suspects-no-members');
    writeFileSync(join(dir, 'pharmacy.csv'), 'fill_id,member_id,fill_date,received_date,ndc,atc_code,days_supply,paid_amount,prescriber_npi\nF1,PHI-1,2024-03-01,,,A10AE04,30,1,\n');
    await expect(attachEvidenceFiles(db.conn, dir, db.work, { rejectedDir: rejected })).rejects.toThrow(`${dir} has no members.parquet or members.csv`);
  });
});
