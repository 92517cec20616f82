// Amdahl's law for the queued flow and the costs it is fed (pipelines/scaling.ts): every expected
// figure worked by hand in the comment beside it.
import { describe, expect, it } from 'vitest';
import type { JobTimingRow } from './flow-status.ts';
import { amdahlPartsSeconds, amdahlSeconds, networkFraction, serialFraction, sharedMachineCeiling, stageCosts } from './scaling.ts';

describe("Amdahl's law", () => {
  it('projects the time on n cores from the time on one and the serial fraction', () => {
    // 100 s with 20% serial: one core 100 x (0.2 + 0.8 / 1) = 100 s.
    expect(amdahlSeconds(100, 0.2, 1)).toBeCloseTo(100, 10);
    // Four cores: 100 x (0.2 + 0.8 / 4) = 100 x 0.4 = 40 s.
    expect(amdahlSeconds(100, 0.2, 4)).toBeCloseTo(40, 10);
    // Sixteen: 100 x (0.2 + 0.05) = 25 s; the limit, all cores, is 100 x 0.2 = 20 s.
    expect(amdahlSeconds(100, 0.2, 16)).toBeCloseTo(25, 10);
    // 200 s with 10% serial on eight cores: 200 x (0.1 + 0.9 / 8) = 200 x 0.2125 = 42.5 s.
    expect(amdahlSeconds(200, 0.1, 8)).toBeCloseTo(42.5, 10);
  });

  it('splits the parallel part into no more pieces than the run has shards', () => {
    // 64 cores but 16 shards: as 16 cores, 100 x (0.2 + 0.8 / 16) = 25 s, not 100 x (0.2 + 0.8 / 64) = 21.25 s.
    expect(amdahlSeconds(100, 0.2, 64, 16)).toBeCloseTo(25, 10);
    // Fewer cores than shards: the shards do not matter, 100 x (0.2 + 0.8 / 2) = 60 s.
    expect(amdahlSeconds(100, 0.2, 2, 16)).toBeCloseTo(60, 10);
  });

  it('refuses a serial fraction outside 0..1 and fewer than one core', () => {
    expect(() => amdahlSeconds(100, 1.5, 2)).toThrow(/between 0 and 1/);
    expect(() => amdahlSeconds(100, 0.5, 0)).toThrow(/at least 1/);
  });
});

describe('the ceiling of workers sharing one machine', () => {
  it("is the one-worker time over the workers' CPU spread on the machine's cores", () => {
    // One worker 454.0 s; two workers' jobs took 512.6 CPU-s on a 2-core machine: the run lasts
    // at least 512.6 / 2 = 256.3 s, so the speedup is at most 454.0 / 256.3 = 1.7714, under 2.
    expect(sharedMachineCeiling(454.0, 512.6, 2)).toBeCloseTo(1.7714, 4);
    // The same CPU as one worker's (100 CPU-s of a 100 s run) on 4 cores: 100 / 25 = 4, the cores.
    expect(sharedMachineCeiling(100, 100, 4)).toBeCloseTo(4, 10);
  });

  it('refuses a run with no time or no CPU', () => {
    expect(() => sharedMachineCeiling(0, 10, 2)).toThrow(/above 0/);
    expect(() => sharedMachineCeiling(10, 0, 2)).toThrow(/above 0/);
  });
});

describe("a run's costs", () => {
  const row = (stage: JobTimingRow['stage'], name: JobTimingRow['name'], cpuSeconds: number, extra: Partial<JobTimingRow> = {}): JobTimingRow => ({ stage, name, cpuSeconds, wallSeconds: cpuSeconds, ...extra });
  const rows: JobTimingRow[] = [
    row('partition', 'partition-piece', 3, { piece: { table: 'claims', piece: 0 } }),
    row('partition', 'partition-piece', 4, { piece: { table: 'claims', piece: 1 } }),
    row('partition', 'partition', 1),
    row('history', 'history-shard', 4, { shard: 0 }),
    row('history', 'history-shard', 5, { shard: 1 }),
    row('history', 'history-shard', 6, { shard: 2 }),
    row('history', 'merges', 0.5),
    row('history', 'merge', 2),
    row('history', 'merge', 3),
    row('models', 'train-network', 12, { model: 'mlp', network: 0 }),
    row('models', 'train-network', 14, { model: 'mlp', network: 1 }),
    row('models', 'train', 30, { model: 'mlp' }),
    row('models', 'predict-shard', 1, { model: 'mlp', shard: 0 }),
    row('models', 'predict-shard', 1, { model: 'mlp', shard: 1 }),
  ];

  it("sums each stage's CPU-seconds, its serial part and its networks' part", () => {
    // partition: two pieces 3 + 4 side by side and the merge 1 = 8 s, of which the merge's 1 s
    // serial. history: shards 4 + 5 + 6, the fan-out over the merges 0.5 (serial) and two merges
    // 2 + 3 side by side = 20.5 s. models: two networks 12 + 14 = 26 s (side by side), their
    // assembly 30 s (serial) and two predict shards of 1 s: 58 s.
    expect(stageCosts(rows)).toEqual([
      { stage: 'partition', cpuSeconds: 8, serialSeconds: 1, networkSeconds: 0, mergeSeconds: 0, merges: 0, jobs: 3 },
      { stage: 'history', cpuSeconds: 20.5, serialSeconds: 0.5, networkSeconds: 0, mergeSeconds: 5, merges: 2, jobs: 6 },
      { stage: 'models', cpuSeconds: 58, serialSeconds: 30, networkSeconds: 26, mergeSeconds: 0, merges: 0, jobs: 5 },
    ]);
    // Serial 1 + 0.5 + 30 = 31.5 of 8 + 20.5 + 58 = 86.5 CPU-seconds; the networks 26 of 86.5.
    expect(serialFraction(stageCosts(rows))).toBeCloseTo(31.5 / 86.5, 12);
    expect(networkFraction(stageCosts(rows))).toBeCloseTo(26 / 86.5, 12);
  });

  it('projects parts of several widths: the networks on no more cores than there are networks', () => {
    // 100 s: 40% serial, 20% in 2 networks, 40% in 16 shards. On 1 core: 100 s. On 4 cores:
    // 100 x (0.4 + 0.2 / 2 + 0.4 / 4) = 100 x 0.6 = 60 s (the networks use 2 of the 4).
    const parts = [{ fraction: 0.4, pieces: 1 }, { fraction: 0.2, pieces: 2 }, { fraction: 0.4, pieces: 16 }];
    expect(amdahlPartsSeconds(100, parts, 1)).toBeCloseTo(100, 10);
    expect(amdahlPartsSeconds(100, parts, 4)).toBeCloseTo(60, 10);
    // Fractions that do not add up to 1 are refused.
    expect(() => amdahlPartsSeconds(100, [{ fraction: 0.5, pieces: 1 }], 2)).toThrow(/add up to 1/);
  });

  it('refuses a run with no timed job', () => {
    expect(() => serialFraction([])).toThrow(/no CPU time/);
  });
});
