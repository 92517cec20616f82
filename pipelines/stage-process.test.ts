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

describe("a job's peak memory", () => {
  it('is sampled during the job, also while the job holds the main thread', async () => {
    const MiB = 1024 * 1024;
    // The job: a thread fills a 200 MiB buffer (filled, so its pages are resident: Buffer.alloc's
    // zeroed pages are not), holds it while this thread is kept busy for 600 ms (timers cannot
    // fire: only a sampler on a thread of its own sees it), then ends, which frees the buffer. So
    // the process's peak is at least 200 MiB over its resident size before the job, while at the
    // job's end it is back under 100 MiB over it: the peak cannot be the value at the end.
    const before = process.memoryUsage.rss();
    const timing = await timed(async () => {
      const { Worker } = await import('node:worker_threads');
      const holder = new Worker(
        `const { parentPort } = require('node:worker_threads');
         const b = Buffer.allocUnsafe(200 * 1024 * 1024).fill(7);
         parentPort.postMessage(b[b.length - 1]);
         parentPort.once('message', () => process.exit(0));`,
        { eval: true },
      );
      expect(await new Promise((r) => holder.once('message', r))).toBe(7);
      const until = performance.now() + 600;
      while (performance.now() < until);
      const ended = new Promise((r) => holder.once('exit', r));
      holder.postMessage('end');
      await ended;
      expect(process.memoryUsage.rss()).toBeLessThan(before + 100 * MiB);
    });
    expect(timing.peakRssMiB).toBeGreaterThanOrEqual(before / MiB + 200);
  });
});
