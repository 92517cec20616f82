// targetsOutsideTolerance: the names `rafcast generate` prints for targets outside tolerance.
import { describe, expect, it } from 'vitest';
import { targetsOutsideTolerance } from './calibration-misses.ts';

const target = (within: boolean) => ({ target: 0.5, tolerance: 0.02, achieved: within ? 0.51 : 0.6, within, source: 'test' });

describe('targetsOutsideTolerance', () => {
  it('names the targets outside tolerance, a nested one as group.name, in the report\'s order', () => {
    const report = {
      run: { members: 10, within: false },
      femaleShare: target(true),
      dualShare: target(false),
      prevalence: { diabetes: target(false), copd: target(true), cancer: target(false) },
      noiseCodeShare: target(false),
    };
    // run is the run's description, never a target, even with a `within` field.
    expect(targetsOutsideTolerance(report)).toEqual(['dualShare', 'prevalence.diabetes', 'prevalence.cancer', 'noiseCodeShare']);
  });

  it('is empty when every target is within tolerance', () => {
    expect(targetsOutsideTolerance({ femaleShare: target(true), prevalence: { copd: target(true) } })).toEqual([]);
  });
});
