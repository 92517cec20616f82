// The payment calendar, rule by rule (DOMAIN.md section 2). Expected dollars are worked from the
// formulas with DOMAIN.md's worked example: payment score 2.636 at $10,402.34 a year is
// $2,285.05 a month; a score of 2.000 is 2.000 x 10,402.34 / 12 = $1,733.72 a month.
import { describe, expect, it } from 'vitest';
import type { SubmissionDeadlines } from '../data/reference/submission-deadlines.ts';
import { augustLumpSum, paymentSchedule, paymentWindows, windowDeadlines, windowsOfDate } from './payment-calendar.ts';

const BASE = 10402.34;

describe('payment windows', () => {
  it('service year y: initial window July y-1 to June y, mid-year window the calendar year, paying in y+1', () => {
    expect(paymentWindows(2025)).toEqual({
      serviceYear: 2025,
      paymentYear: 2026,
      initial: { from: '2024-07-01', to: '2025-06-30' },
      midYear: { from: '2025-01-01', to: '2025-12-31' },
    });
  });

  it('a date of service in the first half counts in both windows of its year; in the second half, in the next initial window', () => {
    expect(windowsOfDate('2025-03-14')).toEqual({ midYear: 2025, initial: 2025 });
    expect(windowsOfDate('2025-06-30')).toEqual({ midYear: 2025, initial: 2025 });
    expect(windowsOfDate('2025-07-01')).toEqual({ midYear: 2025, initial: 2026 });
    expect(() => windowsOfDate('2025/07/01')).toThrow(/YYYY-MM-DD/);
  });
});

describe('August lump sum', () => {
  it('is 6 x (mid-year - initial monthly payment): 6 x (2,285.05 - 1,733.72) = 3,307.98', () => {
    expect(augustLumpSum(2.0, 2.636, BASE)).toBe(3307.98);
  });

  it('is negative when the sweep found less, and zero when nothing changed', () => {
    expect(augustLumpSum(2.636, 2.0, BASE)).toBe(-3307.98);
    expect(augustLumpSum(2.636, 2.636, BASE)).toBe(0);
  });
});

describe('payment schedule', () => {
  it('pays January-June initial, July-December mid-year, the lump sum in August, and the final difference after', () => {
    const s = paymentSchedule(2025, { initial: 2.0, midYear: 2.636, final: 2.7 }, BASE);
    expect(s.filter((p) => p.run === 'initial').map((p) => [p.month, p.amount])).toEqual(
      ['01', '02', '03', '04', '05', '06'].map((m) => [`2026-${m}`, 1733.72]),
    );
    expect(s.filter((p) => p.run === 'mid-year').map((p) => p.month)).toEqual(['07', '08', '09', '10', '11', '12'].map((m) => `2026-${m}`));
    expect(s.find((p) => p.run === 'lump sum')).toEqual({ month: '2026-08', amount: 3307.98, run: 'lump sum' });
    // Final: 2.7 x 10,402.34 / 12 = 2,340.53 a month; 12 x (2,340.53 - 2,285.05) = 665.76.
    expect(s.find((p) => p.run === 'final reconciliation')).toEqual({ month: '2027-08', amount: 665.76, run: 'final reconciliation' });
    // The year's total: 6 x 1,733.72 + 6 x 2,285.05 + 3,307.98 = 12 x 2,285.05 (the sweep makes the year whole).
    const year = s.filter((p) => p.run !== 'final reconciliation').reduce((a, p) => a + Math.round(p.amount * 100), 0) / 100;
    expect(year).toBe(27420.6);
  });
});

describe('windowDeadlines: the submission deadline each window honours', () => {
  // A two-row table (test dates): payment years 2025 and 2026.
  const rows: SubmissionDeadlines[] = [
    { paymentYear: 2025, initial: '2024-09-06', midYear: '2025-03-07', final: '2026-01-30', found: [], source: 'test' },
    { paymentYear: 2026, initial: '2025-09-05', midYear: '2026-03-06', final: '2027-01-29', found: [], source: 'test' },
  ];
  it('service year y: the July-June window by payment year y+1\'s initial deadline, the calendar year by its final one', () => {
    expect(windowDeadlines(2024, rows)).toEqual({ initial: '2024-09-06', midYear: '2026-01-30' });
    expect(windowDeadlines(2025, rows)).toEqual({ initial: '2025-09-05', midYear: '2027-01-29' });
  });
  it('no deadline where the table has no row for payment year y+1', () => {
    expect(windowDeadlines(2026, rows)).toEqual({ initial: null, midYear: null });
  });
});
