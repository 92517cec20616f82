// The run's summary lines on evaluations set by hand: c with its population, accelerated and
// incremental apart, every model's verdict, and "not measurable" (not a TypeError, not $0) when
// the year after the as-of year is not in the data.
import { describe, expect, it } from 'vitest';
import type { Evaluation, ListEvaluation } from '../evaluation/evaluation-types.ts';
import { runSummaryLines } from './summary-lines.ts';

const list = (name: string, accelerated: number, incremental: { total: number | null; members: number | null; share: number | null; shareOfBothYears: number | null; withBothYears: number }): ListEvaluation =>
  ({
    name,
    description: name,
    metrics: { precision: 0.5, auc: 0.75 },
    revenue: { members: 10, accelerated: { total: accelerated, members: 3 }, incremental },
  }) as unknown as ListEvaluation;

const evaluation = (model: string, c: number | null, lists: ListEvaluation[], verdict: string): Evaluation =>
  ({ asOf: 2024, run: { model }, c, cNotMeasurable: c === null ? 'no member has a risk score for 2025: the data ends before 2025' : null, withBothYears: 1234, lists, verdict }) as unknown as Evaluation;

describe('runSummaryLines', () => {
  it('prints c over its population, both kinds of dollars apart, and every model with its verdict', () => {
    // 4 of 10 listed members above c: 40.0% of the list, 4 of the 8 with both years: 50.0%.
    const inc = { total: 2000, members: 4, share: 0.4, shareOfBothYears: 0.5, withBothYears: 8 };
    const lines = runSummaryLines(
      {
        mlp: evaluation('mlp', 1.02346, [list('model', 1000, inc), list('naive', 900, inc)], 'mlp verdict.'),
        logistic: evaluation('logistic', 1.02346, [list('model', 1100, inc), list('naive', 900, inc)], 'logistic verdict.'),
      },
      'mlp',
      performance.now(),
      'runs/x/report.html',
    );
    expect(lines.slice(0, 4)).toEqual([
      'c (growth ratio) = 1.0235: mean RAF_2025 / mean RAF_2024 over the 1,234 members with both years',
      'mlp      precision@20% 50.0%  AUC 0.750  accelerated $1,000.00 moved to January (3 members)  incremental $2,000.00 gained (4 members: 40.0% of the list, 50.0% of its 8 with RAF_2025)',
      'naive    precision@20% 50.0%  AUC 0.750  accelerated $900.00 moved to January (3 members)  incremental $2,000.00 gained (4 members: 40.0% of the list, 50.0% of its 8 with RAF_2025)',
      'logistic precision@20% 50.0%  AUC 0.750  accelerated $1,100.00 moved to January (3 members)  incremental $2,000.00 gained (4 members: 40.0% of the list, 50.0% of its 8 with RAF_2025)',
    ]);
    expect(lines.slice(4, 6)).toEqual(['mlp: mlp verdict.', 'logistic: logistic verdict.']);
    expect(lines[6]).toMatch(/^\d+\.\d s; the report: runs\/x\/report\.html$/);
  });

  it('says "not measurable" when c is null', () => {
    const inc = { total: null, members: null, share: null, shareOfBothYears: null, withBothYears: 0 };
    const lines = runSummaryLines({ mlp: evaluation('mlp', null, [list('model', 1000, inc)], 'v.') }, 'mlp', performance.now(), 'r.html');
    expect(lines[0]).toBe('c (growth ratio) not measurable: no member has a risk score for 2025: the data ends before 2025; incremental revenue not measurable');
    expect(lines[1]).toBe('mlp      precision@20% 50.0%  AUC 0.750  accelerated $1,000.00 moved to January (3 members)  incremental not measurable');
  });
});
