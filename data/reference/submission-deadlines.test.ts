// CMS's risk adjustment data submission deadlines as reference data (submission-deadlines.ts):
// the bundled file read and checked, and bad rows rejected naming the row and field.
import { describe, expect, it } from 'vitest';
import { loadSubmissionDeadlines, parseSubmissionDeadlines } from './submission-deadlines.ts';

const HEADER = 'payment_year,initial_deadline,mid_year_deadline,final_deadline,found,source';

describe('ra_submission_deadlines.csv', () => {
  it('covers payment years 2019-2027, one row each, with the PY2019 final deadline CMS announced', () => {
    const rows = loadSubmissionDeadlines();
    expect(rows.map((r) => r.paymentYear)).toEqual([2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027]);
    // CSSC Operations' FAQ quoting CMS's HPMS memo of 2019-05-22: PY2019 final, January 31, 2020.
    expect(rows[0]).toMatchObject({ paymentYear: 2019, final: '2020-01-31', found: ['final'] });
  });

  it('follows the README\'s pattern where no date was found: first Friday of September and of March, January 31 or the Friday before', () => {
    // PY2026: September 2025 begins on a Monday, so Friday the 5th; March 2026 on a Sunday, so
    // Friday the 6th; January 31, 2027 is a Sunday, so Friday the 29th.
    expect(loadSubmissionDeadlines().find((r) => r.paymentYear === 2026)).toMatchObject({ initial: '2025-09-05', midYear: '2026-03-06', final: '2027-01-29', found: [] });
  });

  it('rejects a bad row naming its row and field', () => {
    const parse = (row: string) => () => parseSubmissionDeadlines(`${HEADER}\n${row}\n`, 'deadlines.csv');
    expect(parse('2026,2025-09-31,2026-03-06,2027-01-29,,x')).toThrow(/deadlines\.csv row 1, initial_deadline: expected a date YYYY-MM-DD, found "2025-09-31"/);
    expect(parse('2026,2026-09-05,2026-03-06,2027-01-29,,x')).toThrow(/row 1, initial_deadline: expected a date in 2025/);
    expect(parse('2026,2025-09-05,2027-03-06,2027-01-29,,x')).toThrow(/row 1, final_deadline: expected initial < mid-year < final/);
    expect(parse('2026,2025-09-05,2026-03-06,2027-01-29,final|late,x')).toThrow(/row 1, found: expected initial, mid_year or final/);
    expect(() => parseSubmissionDeadlines(`${HEADER}\n2026,2025-09-05,2026-03-06,2027-01-29,,x\n2026,2025-09-05,2026-03-06,2027-01-29,,x\n`, 'd.csv')).toThrow(
      /d\.csv row 2, payment_year: 2026 is listed twice/,
    );
  });
});
