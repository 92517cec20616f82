// `rafcast align` end to end on a hand-made data folder (the rules have their own hand-worked test,
// evaluation/alignment/alignment.test.ts): the participant and voluntary alignment files checked and
// quarantined (file, row, field, reason; no member id), exit 0, owner-only files, no member id on the
// terminal; exit 2 without a participant list or for a year without rules.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsvObjects } from '../../data/csv.ts';
import { tempDir } from '../../test/temp-dir.ts';

const CLI = fileURLToPath(new URL('../../bin/rafcast.js', import.meta.url));
const rafcast = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const IDS = ['ZQ7781', 'ZQ7782', 'ZQ7783', 'ZQ9999'];

function writePlan(dir: string, withParticipants: boolean): void {
  writeFileSync(join(dir, 'members.csv'), 'member_id,birth_date,sex,orec\nZQ7781,1950-01-01,F,0\nZQ7782,1951-02-02,M,0\nZQ7783,1952-03-03,F,0\n');
  writeFileSync(
    join(dir, 'enrollment.csv'),
    'member_id,year,months_enrolled,dual_status,institutional,new_enrollee\nZQ7781,2025,12,none,false,false\nZQ7782,2025,12,none,false,false\nZQ7783,2025,12,none,false,false\n',
  );
  // ZQ7781: P1 (participant, TIN 111111111, billed as 11-1111111) in year 2 and a designation of P1: both;
  // ZQ7782: an outside clinician: claims elsewhere; ZQ7783: no service, a designation of P1: voluntary.
  writeFileSync(
    join(dir, 'claims.csv'),
    [
      'claim_id,member_id,claim_type,from_date,thru_date,procedure_codes,diagnosis_codes,paid_amount,rendering_npi,billing_tin',
      'C1,ZQ7781,professional,2024-08-01,2024-08-01,99213,E119,100.00,1000000001,11-1111111',
      'C2,ZQ7782,professional,2024-08-01,2024-08-01,99214,E119,120.00,2000000001,999999999',
      'C3,ZQ7781,professional,2024-09-01,2024-09-01,93000,I10,30.00,1000000001,',
    ].join('\n') + '\n',
  );
  if (withParticipants) {
    writeFileSync(
      join(dir, 'participants.csv'),
      'tin,npi,provider_type,start_date,end_date\n111111111,1000000001,participant,2023-01-01,\n12345,1000000002,participant,2023-01-01,\n111111111,1000000003,preferred,2024-01-01,2023-01-01\n222222222,1000000002,participant,2023-01-01,2026-12-31\n111111111,1000000003,preferred,2023-01-01,\n',
    );
  }
  writeFileSync(join(dir, 'voluntary_alignment.csv'), 'member_id,npi,signed_date\nZQ7783,1000000001,2025-03-01\nZQ7782,12345,2025-03-01\nZQ9999,1000000001,2025-03-01\nZQ7781,1000000001,2025-01-10\n');
}

describe('rafcast align', () => {
  let data: string;
  beforeAll(() => {
    data = tempDir('align-data');
    writePlan(data, true);
  });

  it('aligns, quarantines bad participant and designation rows without a member id, and writes owner-only files', () => {
    const out = join(tempDir('align-cli'), 'out');
    const p = rafcast('align', '--data', data, '--performance-year', '2026', '--out', out);
    expect(p.stderr).not.toMatch(/E_|Error/);
    expect(p.status).toBe(0);
    expect(IDS.filter((id) => (p.stdout + p.stderr).includes(id))).toEqual([]);
    expect(p.stdout).toContain('aligned 2 (voluntary 1, both 1); not aligned: claims_elsewhere 1;');
    expect(p.stdout).toContain('participants: 5 rows read = 3 accepted + 2 rejected');
    expect(p.stdout).toContain('voluntary_alignment: 4 rows read = 2 accepted + 2 rejected');
    expect(statSync(out).mode & 0o777).toBe(0o700);
    for (const f of ['alignment.csv', 'practices.csv', 'align-summary.json', 'align-summary.txt', 'participants.rejected.csv']) {
      expect(statSync(join(out, f)).mode & 0o777, f).toBe(0o600);
    }
    const rows = parseCsvObjects(readFileSync(join(out, 'alignment.csv'), 'utf8'));
    expect(rows.map((r) => [r.member_id, r.alignment, r.aligned_tin])).toEqual([
      ['ZQ7781', 'both', '111111111'],
      ['ZQ7782', 'claims_elsewhere', ''],
      ['ZQ7783', 'voluntary', '111111111'],
    ]);
    const participants = parseCsvObjects(readFileSync(join(out, 'participants.rejected.csv'), 'utf8'));
    expect(participants.map((r) => [r.row, r.field, r.reason])).toEqual([
      ['2', 'tin', 'expected a 9-digit TIN, found "12345"'],
      ['3', 'end_date', 'end_date is before start_date'],
    ]);
    const voluntary = readFileSync(join(out, 'voluntary_alignment.rejected.csv'), 'utf8');
    expect(parseCsvObjects(voluntary).map((r) => [r.row, r.field])).toEqual([
      ['2', 'npi'],
      ['3', 'member_id'],
    ]);
    expect(IDS.filter((id) => voluntary.includes(id))).toEqual([]);
  });

  it('stops with exit 2 without a participant list, and for a performance year without rules', () => {
    const bare = tempDir('align-bare');
    writePlan(bare, false);
    const p = rafcast('align', '--data', bare, '--performance-year', '2026', '--out', join(tempDir('align-cli'), 'out'));
    expect(p.status).toBe(2);
    expect(p.stderr).toContain('has no participants.csv or participants.parquet');
    const q = rafcast('align', '--data', data, '--performance-year', '2031', '--out', join(tempDir('align-cli'), 'out'));
    expect(q.status).toBe(2);
    expect(q.stderr).toContain('no ACO REACH alignment rules for performance year 2031');
    expect(q.stderr).toContain('it holds 2023, 2024, 2025, 2026');
  });
});
