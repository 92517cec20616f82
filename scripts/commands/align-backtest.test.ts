// `rafcast align-backtest` end to end on a hand-made data folder (the rules have their own
// hand-worked test, evaluation/alignment/backtest.test.ts): PY 2025, the projection for 2026 made on
// 2025-01-01. ZQ7781: P1 (participant, TIN 111111111) on 2024-09-01, received 2024-09-10: in 2026's
// window only, so on track, and aligned by claims from the complete data. ZQ7782: no service known
// on 2025-01-01 (not aligned); O1 (outside) on 2025-06-10: claims elsewhere. Exit 0, owner-only
// files, no member id on the terminal; exit 2 for a cut-off after 2026's alignment period, for data
// not reaching the end of 2025, and for a performance year whose next has no rules.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/temp-dir.ts';

const CLI = fileURLToPath(new URL('../../bin/rafcast.js', import.meta.url));
const rafcast = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const IDS = ['ZQ7781', 'ZQ7782'];

function writePlan(dir: string, lastClaim: string): void {
  writeFileSync(join(dir, 'members.csv'), 'member_id,birth_date,sex,orec\nZQ7781,1950-01-01,F,0\nZQ7782,1951-02-02,M,0\n');
  writeFileSync(
    join(dir, 'enrollment.csv'),
    'member_id,year,months_enrolled,dual_status,institutional,new_enrollee\n' +
      ['ZQ7781', 'ZQ7782'].flatMap((m) => [2024, 2025].map((y) => `${m},${y},12,none,false,false`)).join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'claims.csv'),
    [
      'claim_id,member_id,claim_type,from_date,thru_date,procedure_codes,diagnosis_codes,paid_amount,rendering_npi,billing_tin,received_date',
      'C1,ZQ7781,professional,2024-09-01,2024-09-01,99213,E119,100.00,1000000001,111111111,2024-09-10',
      `C2,ZQ7782,professional,${lastClaim},${lastClaim},99214,E119,120.00,2000000001,999999999,`,
    ].join('\n') + '\n',
  );
  writeFileSync(join(dir, 'participants.csv'), 'tin,npi,provider_type,start_date,end_date\n111111111,1000000001,participant,2022-01-01,\n');
}

describe('rafcast align-backtest', () => {
  let data: string;
  beforeAll(() => {
    data = tempDir('align-backtest-data');
    writePlan(data, '2025-06-10');
  });

  it('sets the projection made on January 1 of PY against the next year\'s alignment, owner-only, without member ids on the terminal', () => {
    const out = join(tempDir('align-backtest-cli'), 'out');
    const p = rafcast('align-backtest', '--data', data, '--performance-year', '2025', '--out', out);
    expect(p.stderr).not.toMatch(/E_|Error/);
    expect(p.status).toBe(0);
    expect(IDS.filter((id) => (p.stdout + p.stderr).includes(id))).toEqual([]);
    expect(p.stdout).toContain('the projection for 2026 made for performance year 2025 on the data known on 2025-01-01');
    expect(p.stdout).toContain('  on_track            1: aligned 1 (100.0%), not aligned 0, ineligible 0');
    expect(p.stdout).toContain('  not_aligned         1: aligned 0 (0.0%), not aligned 1, ineligible 0');
    expect(statSync(out).mode & 0o777).toBe(0o700);
    for (const f of ['backtest-members.csv', 'backtest.csv', 'backtest-summary.json', 'backtest-summary.txt']) expect(statSync(join(out, f)).mode & 0o777, f).toBe(0o600);
    expect(IDS.filter((id) => readFileSync(join(out, 'backtest-summary.json'), 'utf8').includes(id))).toEqual([]);
  });

  it('stops with exit 2 for a cut-off after the alignment period, data not reaching the end of PY, and a year without rules', () => {
    const late = rafcast('align-backtest', '--data', data, '--performance-year', '2025', '--data-through', '2025-07-01', '--out', join(tempDir('align-backtest-cli'), 'out'));
    expect(late.status).toBe(2);
    expect(late.stderr).toContain('--data-through 2025-07-01: the projection for 2026 must be made before its alignment period ends (2025-07-01)');
    // Claims end in March 2025: 2026's alignment period runs to June 2025.
    const short = tempDir('align-backtest-short');
    writePlan(short, '2025-03-10');
    const s = rafcast('align-backtest', '--data', short, '--performance-year', '2025', '--out', join(tempDir('align-backtest-cli'), 'out'));
    expect(s.status).toBe(2);
    expect(s.stderr).toContain('does not reach the end of 2025: the actual alignment of 2026 needs enrollment of 2025 (found 2 rows) and claims through the last month of its alignment period, from 2025-06-01 (the latest claim is of 2025-03-10)');
    const y = rafcast('align-backtest', '--data', data, '--performance-year', '2026', '--out', join(tempDir('align-backtest-cli'), 'out'));
    expect(y.status).toBe(2);
    expect(y.stderr).toContain('no ACO REACH alignment rules for performance year 2027');
  });
});
