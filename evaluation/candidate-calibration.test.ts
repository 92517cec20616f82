// The expected dollars against the measured (evaluation/candidate-calibration.ts) on ten hand-built
// listed members, given in outreach order, so member k is decile k. Base rate $12,000 a year: a
// payment score s pays s x $1,000 a month. c = 1.1 (given, as growthRatio would compute it over
// all members). Measured figures are revenue.ts's memberValue: the August lump sum
// 6 x (monthly(RAF_T) - monthly(RAF_init_T)), kept when positive and the member is enrolled and
// alive in August of T+1; the gap RAF_{T+1} - c x RAF_T when RAF_{T+1} / RAF_T > c.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../test/temp-dir.ts';
import { calibrationCsv, calibrationTable, readCalibration, readCalibrationTotal, type CalibrationMember } from './candidate-calibration.ts';
import type { MemberScores } from './revenue.ts';

const scores = (rafInitT: number, rafT: number, rafNext: number, monthsPaid = 12): MemberScores => ({ rafInitT, rafT, rafNext, monthsPaid });
const member = (expectedAccelerated: number, expectedIncremental: number, s: MemberScores): CalibrationMember => ({
  expectedAccelerated,
  expectedIncremental,
  expectedDollars: expectedAccelerated + expectedIncremental,
  scores: s,
});

const MEMBERS: CalibrationMember[] = [
  // 1: lump 6 x (1,200 - 1,000) = $1,200; gap 1.5 - 1.1 x 1.2 = 0.18 -> $2,160.00.
  member(500, 3000, scores(1.0, 1.2, 1.5)),
  // 2: the same scores, but enrolled January-July of T+1 only: no lump sum in August; gap $2,160.00.
  member(100, 2000, scores(1.0, 1.2, 1.5, 7)),
  // 3: lump 6 x (1,200 - 1,300) = -$600: no accelerated; 1.2 / 1.2 = 1 <= c: no gap.
  member(0, 1500, scores(1.3, 1.2, 1.2)),
  // 4: left at the end of T: a lump sum of 6 x (1,100 - 1,000) = $600 that is never paid, and no
  //    RAF_{T+1}: no measurable gap.
  member(0, 1000, scores(1.0, 1.1, NaN, 0)),
  // 5-10: nothing moved, nothing gained.
  ...[900, 800, 700, 600, 500, 400].map((inc) => member(0, inc, scores(1, 1, 1))),
];

describe('calibrationTable', () => {
  const rows = calibrationTable(MEMBERS, 1.1, 12_000);

  it('sets each decile of expected dollars beside what memberValue measured for it', () => {
    expect(rows.slice(0, 4)).toEqual([
      { decile: '1', members: 1, expectedAccelerated: 500, measuredAccelerated: 1200, expectedIncremental: 3000, measuredIncremental: 2160, withoutRafNext: 0 },
      { decile: '2', members: 1, expectedAccelerated: 100, measuredAccelerated: 0, expectedIncremental: 2000, measuredIncremental: 2160, withoutRafNext: 0 },
      { decile: '3', members: 1, expectedAccelerated: 0, measuredAccelerated: 0, expectedIncremental: 1500, measuredIncremental: 0, withoutRafNext: 0 },
      { decile: '4', members: 1, expectedAccelerated: 0, measuredAccelerated: 0, expectedIncremental: 1000, measuredIncremental: 0, withoutRafNext: 1 },
    ]);
    expect(rows[9]).toEqual({ decile: '10', members: 1, expectedAccelerated: 0, measuredAccelerated: 0, expectedIncremental: 400, measuredIncremental: 0, withoutRafNext: 0 });
  });

  it('totals the list: expected $600 and $11,400 against measured $1,200 and $4,320', () => {
    // Expected: accelerated 500 + 100 = 600; incremental 3,000 + 2,000 + 1,500 + 1,000 + 900 + 800
    // + 700 + 600 + 500 + 400 = 11,400. Measured: accelerated $1,200 (member 1 only); incremental
    // 2,160 + 2,160 = 4,320.
    expect(rows[10]).toEqual({ decile: 'all', members: 10, expectedAccelerated: 600, measuredAccelerated: 1200, expectedIncremental: 11400, measuredIncremental: 4320, withoutRafNext: 1 });
  });

  it('writes one line a decile and the total, to the cent', () => {
    const lines = calibrationCsv(rows).trim().split('\n');
    expect(lines[0]).toBe('decile,members,expected_accelerated,measured_accelerated,expected_incremental,measured_incremental,members_without_raf_next');
    expect(lines[1]).toBe('1,1,500.00,1200.00,3000.00,2160.00,0');
    expect(lines[11]).toBe('all,10,600.00,1200.00,11400.00,4320.00,1');
  });

  it('reads the table and its total back from the file (what rafcast run prints), and nothing when there is no file', () => {
    const file = join(tempDir('calibration'), 'calibration.csv');
    expect(readCalibrationTotal(file)).toBeNull();
    writeFileSync(file, calibrationCsv(rows));
    expect(readCalibration(file)).toEqual(rows);
    expect(readCalibrationTotal(file)).toEqual(rows[10]);
    // Not a calibration table: said so, not read as one.
    writeFileSync(file, 'decile,members\n1,2\n');
    expect(() => readCalibration(file)).toThrow(/is not a calibration table/);
  });
});
