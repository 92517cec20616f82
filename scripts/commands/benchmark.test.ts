// `rafcast benchmark` end to end on a hand-made plan (the rules have their own hand-worked test,
// evaluation/alignment/benchmark.test.ts): the alignment and the history computed when not given,
// the same benchmark when they are given; owner-only files; no member id on the terminal; exit 2
// on a bad rates row naming the file, the row and the field, and on an alignment of another year.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsvObjects } from '../../data/csv.ts';
import { tempDir } from '../../test/temp-dir.ts';

const CLI = fileURLToPath(new URL('../../bin/rafcast.js', import.meta.url));
const rafcast = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const IDS = ['ZQ7781', 'ZQ7782', 'ZQ7783'];
const FILES = ['beneficiaries.csv', 'benchmark.csv', 'effort.csv', 'benchmark-summary.json', 'benchmark-summary.txt'];
const RATES_HEADER = 'level,key,regional_rate,historical_expenditure,trend\n';

function writePlan(dir: string): void {
  writeFileSync(join(dir, 'members.csv'), 'member_id,birth_date,sex,orec\nZQ7781,1950-01-01,F,0\nZQ7782,1951-02-02,M,0\nZQ7783,1952-03-03,F,0\n');
  const enrollment = [2021, 2022, 2023, 2024, 2025].flatMap((y) => IDS.map((m) => `${m},${y},12,none,false,false`));
  writeFileSync(join(dir, 'enrollment.csv'), `member_id,year,months_enrolled,dual_status,institutional,new_enrollee\n${enrollment.join('\n')}\n`);
  // ZQ7781 and ZQ7783: seen by participant P1 (TIN 111111111) and designating P1: both-aligned;
  // ZQ7782: an outside clinician only: not aligned.
  writeFileSync(
    join(dir, 'claims.csv'),
    [
      'claim_id,member_id,claim_type,from_date,thru_date,procedure_codes,diagnosis_codes,paid_amount,rendering_npi,billing_tin',
      'C1,ZQ7781,professional,2024-08-01,2024-08-01,99213,E119,100.00,1000000001,11-1111111',
      'C2,ZQ7782,professional,2024-08-01,2024-08-01,99214,E119,120.00,2000000001,999999999',
      'C3,ZQ7781,professional,2025-03-01,2025-03-01,99213,I5022,30.00,1000000001,',
      'C4,ZQ7783,professional,2025-04-01,2025-04-01,99213,I10,50.00,1000000001,',
    ].join('\n') + '\n',
  );
  writeFileSync(join(dir, 'participants.csv'), 'tin,npi,provider_type,start_date,end_date\n111111111,1000000001,participant,2023-01-01,\n');
  writeFileSync(join(dir, 'voluntary_alignment.csv'), 'member_id,npi,signed_date\nZQ7783,1000000001,2025-03-01\nZQ7781,1000000001,2025-01-10\n');
  writeFileSync(join(dir, 'rates.csv'), `${RATES_HEADER}entity,,12000,10000,1.05\npractice,111111111,,9000,\n`);
}

describe('rafcast benchmark', () => {
  let data: string;
  let out: string;
  let first: ReturnType<typeof rafcast>;
  beforeAll(() => {
    data = tempDir('benchmark-data');
    writePlan(data);
    out = join(tempDir('benchmark-cli'), 'out');
    first = rafcast('benchmark', '--data', data, '--performance-year', '2026', '--out', out);
  });

  it('computes the alignment and the history, caps, prices and writes owner-only files with no member id on the terminal', () => {
    expect(first.stderr).not.toMatch(/E_|Error/);
    expect(first.status).toBe(0);
    expect(IDS.filter((id) => (first.stdout + first.stderr).includes(id))).toEqual([]);
    expect(first.stdout).toContain('aligned both 2;');
    expect(statSync(out).mode & 0o777).toBe(0o700);
    for (const f of FILES) expect(statSync(join(out, f)).mode & 0o777).toBe(0o600);
    for (const f of ['benchmark-summary.json', 'benchmark-summary.txt']) expect(IDS.filter((id) => readFileSync(join(out, f), 'utf8').includes(id))).toEqual([]);
    // PY 2026's score is service year 2025's payment score; the reference year 2022's is service year 2021's.
    const summary = JSON.parse(readFileSync(join(out, 'benchmark-summary.json'), 'utf8')) as { scores: Record<string, { serviceYear: number; paymentYear: number }> };
    expect([summary.scores.performanceYear, summary.scores.referenceYear].map((x) => [x!.serviceYear, x!.paymentYear])).toEqual([
      [2025, 2026],
      [2021, 2022],
    ]);
    const rows = parseCsvObjects(readFileSync(join(out, 'beneficiaries.csv'), 'utf8'));
    expect(rows.map((r) => [r.member_id, r.alignment, r.benchmark_type, r.historical_from, r.base_rate])).toEqual([
      // Practice 111111111's historical 9,000: 0.45 x 12,000 + 0.55 x 9,000 x 1.05 = 5,400 + 5,197.50 = 10,597.50.
      ['ZQ7781', 'both', 'claims', 'practice', '10597.50'],
      ['ZQ7783', 'both', 'claims', 'practice', '10597.50'],
    ]);
    for (const r of rows) {
      // The limit is 1.03 x the reference score; the dollars are base rate x capped score, to the cent.
      expect(Number(r.limit)).toBeCloseTo(1.03 * Number(r.reference_score), 6);
      expect(Number(r.capped_score)).toBeCloseTo(Math.min(Number(r.score), Number(r.limit)), 6);
      expect(r.at_cap).toBe(String(Number(r.score) >= Number(r.limit)));
      expect(Number(r.dollars)).toBeCloseTo(10597.5 * Number(r.capped_score), 1);
      expect(Number(r.cap_dollars)).toBeCloseTo(Number(r.uncapped_dollars) - Number(r.dollars), 6);
    }
    const total = parseCsvObjects(readFileSync(join(out, 'benchmark.csv'), 'utf8')).find((t) => t.alignment === 'total')!;
    expect(Number(total.benchmark_dollars)).toBeCloseTo(rows.reduce((s, r) => s + Number(r.dollars), 0), 6);
    expect(Number(total.lost_to_cap)).toBeCloseTo(rows.reduce((s, r) => s + Math.max(0, Number(r.cap_dollars)), 0), 6);
  });

  it('gives the same benchmark from the alignment and history folders it wrote (--alignment, --history)', () => {
    const again = join(tempDir('benchmark-cli'), 'out');
    const p = rafcast('benchmark', '--data', data, '--performance-year', '2026', '--alignment', join(out, 'alignment'), '--history', join(out, 'history'), '--out', again);
    expect(p.status).toBe(0);
    for (const f of ['beneficiaries.csv', 'benchmark.csv', 'effort.csv']) expect(readFileSync(join(again, f), 'utf8')).toBe(readFileSync(join(out, f), 'utf8'));
  });

  it('stops with exit 2 on a bad rates row, naming the file, the row and the field, and no member id', () => {
    const rates = join(tempDir('benchmark-rates'), 'rates.csv');
    writeFileSync(rates, `${RATES_HEADER}entity,,12000,10000,1.05\nbeneficiary,ZQ7781,,-3,\n`);
    const p = rafcast('benchmark', '--data', data, '--performance-year', '2026', '--rates', rates, '--out', join(tempDir('benchmark-cli'), 'out'));
    expect(p.status).toBe(2);
    expect(p.stderr).toContain(`error E_INPUT: file ${rates}, row 2, field historical_expenditure: expected a number above 0, found "-3"`);
    expect(IDS.filter((id) => (p.stdout + p.stderr).includes(id))).toEqual([]);
    writeFileSync(rates, `${RATES_HEADER}entity,,12000,10000,1.05\npractice,12345,,9000,\n`);
    const q = rafcast('benchmark', '--data', data, '--performance-year', '2026', '--rates', rates, '--out', join(tempDir('benchmark-cli'), 'out'));
    expect(q.status).toBe(2);
    expect(q.stderr).toContain(`file ${rates}, row 2, field key: expected a 9-digit TIN`);
  });

  it('stops with exit 2 on an alignment of another performance year and on a year without rules', () => {
    const p = rafcast('benchmark', '--data', data, '--performance-year', '2025', '--alignment', join(out, 'alignment'), '--out', join(tempDir('benchmark-cli'), 'out'));
    expect(p.status).toBe(2);
    expect(p.stderr).toContain('is for performance year 2026, not 2025');
    const q = rafcast('benchmark', '--data', data, '--performance-year', '2031', '--out', join(tempDir('benchmark-cli'), 'out'));
    expect(q.status).toBe(2);
    expect(q.stderr).toContain('no ACO REACH benchmark rules for performance year 2031');
  });
});
