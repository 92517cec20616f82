// The list's expected dollars by month of payment year T+1 (coming-year-report.ts, DOMAIN.md
// section 2): expected_accelerated a sixth each month of January-June with outreach, the same in
// the August lump sum without (moved, never added); expected_incremental a twelfth each month;
// cents left over to the first months, so the months add up to the totals exactly.
import { describe, expect, it } from 'vitest';
import { expectedByMonth } from './coming-year-report.ts';

describe('expectedByMonth', () => {
  it('pays accelerated in January-June instead of the August lump sum, and incremental over the twelve months, to the cent', () => {
    // Accelerated $100.03 = 10,003 cents: 10,003 = 6 x 1,667 + 1, so January 16.68, February-June 16.67.
    // Incremental $12.05 = 1,205 cents: 1,205 = 12 x 100 + 5, so January-May 1.01, June-December 1.00.
    const m = expectedByMonth(100.03, 12.05);
    expect(m.map((x) => x.accelerated)).toEqual([16.68, 16.67, 16.67, 16.67, 16.67, 16.67, 0, 0, 0, 0, 0, 0]);
    expect(m.map((x) => x.lumpSumWithout)).toEqual([0, 0, 0, 0, 0, 0, 0, 100.03, 0, 0, 0, 0]);
    expect(m.map((x) => x.incremental)).toEqual([1.01, 1.01, 1.01, 1.01, 1.01, 1, 1, 1, 1, 1, 1, 1]);
    expect(m[7]!.month).toBe('August');
  });
});
