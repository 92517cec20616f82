// The summary's words for rejected rows (issue 16 item 8): the count names its unit and the
// breakdown is labelled as reasons by field, so no number reads like a row number.
import { describe, expect, it } from 'vitest';
import { loadedFileText, rejectedRowsText } from './rejected-summary.ts';

describe('rejectedRowsText', () => {
  it('names the unit of the count and labels the breakdown as reasons by field', () => {
    expect(rejectedRowsText(0, {})).toBe('0 rows');
    expect(rejectedRowsText(1, { row: 1 })).toBe('1 row (reasons by field: not readable as a row 1)');
    expect(rejectedRowsText(3, { birth_date: 2, sex: 1 })).toBe('3 rows (reasons by field: birth_date 2, sex 1)');
  });
});

describe('loadedFileText', () => {
  it("reconciles one file: read = accepted + rejected, the rejected rows in rejectedRowsText's words", () => {
    // 10 read = 9 accepted + 1 rejected (thru_date).
    expect(loadedFileText({ table: 'claims', read: 10, accepted: 9, rejected: 1, rejectedByField: { thru_date: 1 } })).toBe(
      'claims: read 10 = accepted 9 + rejected 1 row (reasons by field: thru_date 1)',
    );
  });
});
