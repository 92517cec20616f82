// What a job cost where it ran (stage-process.ts timed): wall time and the process's CPU time apart.
import { describe, expect, it } from 'vitest';
import { timed } from './stage-process.ts';

describe("a job's timing", () => {
  it('tells time spent waiting from time spent computing', async () => {
    // Waiting 300 ms: 0.3 s of wall time and almost no CPU time.
    const waiting = await timed(() => new Promise((r) => setTimeout(r, 300)));
    expect(waiting.wallSeconds).toBeGreaterThanOrEqual(0.29);
    expect(waiting.cpuSeconds).toBeLessThan(0.1);
    // Computing until 0.3 s of this process's CPU time have passed: at least 0.3 s of CPU, and at
    // least as much wall time (one thread cannot spend more CPU time than wall time).
    const computing = await timed(async () => {
      const start = process.cpuUsage();
      for (;;) {
        const u = process.cpuUsage(start);
        if (u.user + u.system >= 300_000) break;
      }
    });
    expect(computing.cpuSeconds).toBeGreaterThanOrEqual(0.3);
    expect(computing.cpuSeconds).toBeLessThan(0.6);
    expect(computing.wallSeconds).toBeGreaterThanOrEqual(computing.cpuSeconds - 0.05);
  });
});
