// What a run with a data cut-off reads (data-cutoff.ts): the training features' cut-off one year
// before the list's, and the history years the features of T read.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../data/errors.ts';
import { knownHistoryYears, runFeatureCutoffs, trainingCutoff } from './data-cutoff.ts';

describe('the data cut-off of a run', () => {
  it('trains on features cut the same day one year earlier, February 29 on February 28', () => {
    expect(trainingCutoff('2025-01-01')).toBe('2024-01-01');
    expect(trainingCutoff('2025-01-15')).toBe('2024-01-15');
    // 2023 has no February 29: the last day of that February.
    expect(trainingCutoff('2024-02-29')).toBe('2023-02-28');
    expect(trainingCutoff('2025-12-31')).toBe('2024-12-31');
    expect(() => trainingCutoff('2025-02-30')).toThrow(ConfigError);
    // A run at 2025 cut on January 15: T-1 = 2024's features on 2024-01-15, 2025's on 2025-01-15.
    expect(runFeatureCutoffs(2025, '2025-01-15')).toEqual([
      { asOf: 2024, dataThrough: '2024-01-15' },
      { asOf: 2025, dataThrough: '2025-01-15' },
    ]);
  });

  it('computes the two service years the features of T read, within the data', () => {
    expect(knownHistoryYears(2025)).toEqual([2023, 2024]);
    expect(knownHistoryYears(2025, [2021, 2025])).toEqual([2023, 2024]);
    // Data from 2024: T-2 = 2023 is not in it.
    expect(knownHistoryYears(2025, [2024, 2025])).toEqual([2024, 2024]);
    // The list for the coming year: the data ends with T-1.
    expect(knownHistoryYears(2026, [2021, 2025])).toEqual([2024, 2025]);
    // Neither year in the data: its first year, whose rows the features of T never read.
    expect(knownHistoryYears(2025, [2025, 2025])).toEqual([2025, 2025]);
    // The suspects read T as known on the cut-off too: T-2 to T, within the data's years.
    expect(knownHistoryYears(2025, [2021, 2025], true)).toEqual([2023, 2025]);
    expect(knownHistoryYears(2025, [2021, 2024], true)).toEqual([2023, 2024]);
  });
});
