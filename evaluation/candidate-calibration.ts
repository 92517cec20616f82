// How close the candidate list's expected dollars came to what the backtest measured (issue 14;
// DOMAIN.md section 4), when the history holds T+1: the listed members by decile of expected
// dollars (decile 1 = the first tenth of the outreach list, which is in that order), each
// decile's expected accelerated and incremental dollars (evaluation/candidate-value.ts) beside
// the measured ones, which are evaluation/revenue.ts's memberValue and nothing else:
// - measured accelerated: the members' positive August lump sums of payment year T+1 (paid only
//   to a member enrolled and alive in August);
// - measured incremental: their gaps above c, priced at the base rate, c = mean(RAF_{T+1}) /
//   mean(RAF_T) over every member of T with both years (growthRatio). A listed member without
//   RAF_{T+1} has no measurable gap: counted in members_without_raf_next, adding nothing.
import { existsSync, readFileSync } from 'node:fs';
import { decilesOf } from '../models/metrics.ts';
import { memberValue, type MemberScores } from './revenue.ts';

/** A listed member's expected dollars and scores. */
export interface CalibrationMember {
  expectedAccelerated: number;
  expectedIncremental: number;
  expectedDollars: number;
  scores: MemberScores;
}

export interface CalibrationRow {
  /** 1-10, or 'all'. */
  decile: string;
  members: number;
  expectedAccelerated: number;
  measuredAccelerated: number;
  expectedIncremental: number;
  measuredIncremental: number;
  /** Members with no RAF_{T+1} (died, left): no measurable gap. */
  withoutRafNext: number;
}

/** The table: deciles 1-10 of `members` (given in outreach order: expected dollars, then list rank) and 'all'. */
export function calibrationTable(members: readonly CalibrationMember[], c: number, annualBaseRate: number): CalibrationRow[] {
  const deciles = decilesOf(Float64Array.from(members, (m) => m.expectedDollars));
  // Sums in cents: whole numbers add exactly.
  const cents = Array.from({ length: 11 }, () => ({ members: 0, ea: 0, ma: 0, ei: 0, mi: 0, none: 0 }));
  members.forEach((m, i) => {
    const v = memberValue(m.scores, c, annualBaseRate);
    for (const row of [cents[deciles[i]! - 1]!, cents[10]!]) {
      row.members++;
      row.ea += Math.round(m.expectedAccelerated * 100);
      row.ei += Math.round(m.expectedIncremental * 100);
      row.ma += Math.round(v.accelerated * 100);
      row.mi += Math.round((v.incremental ?? 0) * 100);
      if (v.incremental === null) row.none++;
    }
  });
  return cents.map((r, d) => ({
    decile: d === 10 ? 'all' : String(d + 1),
    members: r.members,
    expectedAccelerated: r.ea / 100,
    measuredAccelerated: r.ma / 100,
    expectedIncremental: r.ei / 100,
    measuredIncremental: r.mi / 100,
    withoutRafNext: r.none,
  }));
}

export function calibrationCsv(rows: readonly CalibrationRow[]): string {
  const lines = ['decile,members,expected_accelerated,measured_accelerated,expected_incremental,measured_incremental,members_without_raf_next'];
  for (const r of rows) {
    lines.push(
      [r.decile, r.members, r.expectedAccelerated.toFixed(2), r.measuredAccelerated.toFixed(2), r.expectedIncremental.toFixed(2), r.measuredIncremental.toFixed(2), r.withoutRafNext].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The rows of a calibration.csv calibrationCsv wrote, or null when there is no such file (no backtest). */
export function readCalibration(file: string): CalibrationRow[] | null {
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  if (lines[0] !== calibrationCsv([]).trim()) throw new Error(`${file} is not a calibration table (rafcast candidates writes one)`);
  return lines.slice(1).map((line, k) => {
    const f = line.split(',');
    if (f.length !== 7) throw new Error(`${file}, line ${k + 2}: expected 7 fields, found ${f.length}`);
    return {
      decile: f[0]!,
      members: Number(f[1]),
      expectedAccelerated: Number(f[2]),
      measuredAccelerated: Number(f[3]),
      expectedIncremental: Number(f[4]),
      measuredIncremental: Number(f[5]),
      withoutRafNext: Number(f[6]),
    };
  });
}

/** The 'all' row of a calibration.csv, or null when there is no such file. */
export function readCalibrationTotal(file: string): CalibrationRow | null {
  const rows = readCalibration(file);
  if (rows === null) return null;
  const all = rows.at(-1);
  if (all?.decile !== 'all') throw new Error(`${file} is not a calibration table: its last line is not the total`);
  return all;
}
