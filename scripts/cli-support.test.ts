// The helpers the commands share to hand their options on (cli-support.ts): an option not given
// is absent from what the run receives, never present as undefined, so a run's defaults hold.
import { describe, expect, it } from 'vitest';
import { givenOptions, rejectedFileNames } from './cli-support.ts';

describe('givenOptions', () => {
  it('keeps the options given, falsy ones included, and leaves out those not given', () => {
    const o = givenOptions({ history: 'runs/h', knownHistory: undefined, dataThrough: '', maxRejectedShare: 0 });
    expect(o).toEqual({ history: 'runs/h', dataThrough: '', maxRejectedShare: 0 });
    // Absent, not undefined: spread over a default, the default holds.
    expect('knownHistory' in o).toBe(false);
    expect({ knownHistory: 'default', ...o }.knownHistory).toBe('default');
  });
});

describe('rejectedFileNames', () => {
  it("names each table's quarantine file", () => {
    expect(rejectedFileNames(['members', 'pharmacy'])).toEqual(['members.rejected.csv', 'pharmacy.rejected.csv']);
  });
});
