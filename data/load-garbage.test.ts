// Issue 16 item 4: a valid claims file with 100,000 garbage lines appended. Every rejected row
// must reach the quarantine file and the counts reconcile, read = accepted + rejected, checked
// here against the counts of the lines this test wrote (DuckDB 1.5's parallel reader recorded
// only 85,038 of them, and the load stopped with "please report this"). The input is made once.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIMS, MEMBERS } from './contract.ts';
import { openDuckDb } from './duckdb.ts';
import { loadContractFile } from './load-contract-file.ts';
import { tempDir } from '../test/temp-dir.ts';

const VALID = 241_314;
const GARBAGE = 100_000;
let db: Awaited<ReturnType<typeof openDuckDb>>;
let dir: string;
let claims: string;

beforeAll(async () => {
  dir = tempDir('garbage');
  const lines = ['claim_id,member_id,claim_type,from_date,thru_date,diagnosis_codes,paid_amount'];
  for (let i = 1; i <= VALID; i++) lines.push(`C${i},M1,professional,2024-01-02,2024-01-02,E1122,10.00`);
  // Garbage of two kinds, alternating: one field (no comma), and nine fields (8 commas).
  for (let i = 0; i < GARBAGE; i++) lines.push(i % 2 === 0 ? `garbage ${i} zzzz` : `x,${i},,,y,,,,z`);
  claims = join(dir, 'claims.csv');
  writeFileSync(claims, `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'members.csv'), 'member_id,birth_date,sex,orec\nM1,1950-01-01,F,0\n');
  db = await openDuckDb();
  await loadContractFile(db.connection, MEMBERS, join(dir, 'members.csv'));
});
afterAll(() => db?.close());

describe('a valid claims file with 100,000 garbage lines', () => {
  it('quarantines every garbage row by number and reason; read = accepted + rejected', async () => {
    const s = await loadContractFile(db.connection, CLAIMS, claims, { maxRejectedShare: 1 });
    // Written above: 241,314 valid rows, then 100,000 garbage rows numbered 241,315..341,314.
    expect(s).toMatchObject({ read: VALID + GARBAGE, accepted: VALID, rejected: GARBAGE, rejectedByField: { row: GARBAGE } });
    // Row VALID + 1 + i holds garbage line i: one field when i is even, nine when odd.
    const expected = ['file,row,field,reason'];
    for (let i = 0; i < GARBAGE; i++) expected.push(`${claims},${VALID + 1 + i},,"expected 7 fields as in the header, found ${i % 2 === 0 ? 1 : 9}"`);
    expect(readFileSync(s.quarantine, 'utf8') === `${expected.join('\n')}\n`).toBe(true);
    const accepted = (await db.connection.runAndReadAll('SELECT count(*)::INTEGER AS n, max(claim_id) AS last FROM claims')).getRowObjectsJson();
    expect(accepted).toEqual([{ n: VALID, last: 'C99999' }]);
  });

  it('stops before reading the rows when the unreadable rows alone pass --max-rejected-share', async () => {
    // 100,000 of 341,314 rows (29.3%) cannot be rows: over a 20% limit, under a 30% one.
    const quarantine = join(dir, 'fast.rejected.csv');
    await expect(loadContractFile(db.connection, CLAIMS, claims, { maxRejectedShare: 0.2, quarantine })).rejects.toThrow(
      `at least 100000 of 341314 rows of ${claims} cannot be read as rows; the others were not checked (more than 20%, --max-rejected-share 0.2); reasons are in ${quarantine}`,
    );
    const q = readFileSync(quarantine, 'utf8').trimEnd().split('\n');
    expect(q.length - 1).toBe(GARBAGE);
    expect(q[1]).toBe(`${claims},${VALID + 1},,"expected 7 fields as in the header, found 1"`);
  });
});
