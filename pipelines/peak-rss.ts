// The peak resident memory of this process over a piece of work (a job: stage-process.ts timed).
// A reused process's own high-water mark (resourceUsage().maxRSS, VmHWM) covers its whole life, not
// one job, so the resident size is sampled during the work instead: every SAMPLE_MS by a thread
// of its own, which keeps sampling while the work holds the main thread (TensorFlow.js, long
// JavaScript loops), plus the values at the start and the end. The resident size is the whole
// process's: every thread, DuckDB's and TensorFlow's included.
import { Worker } from 'node:worker_threads';

/** How often the sampling thread reads the resident size. */
export const SAMPLE_MS = 100;
/** Pieces of work measured at the same time at most (a worker's jobs in its own process, --no-isolate --concurrency). */
const SLOTS = 64;
const KIB = 1024;

// The sampler: a plain loop on its own thread, asleep while nothing is measured (cell 0 counts the
// pieces of work under way); each slot holds the highest resident size seen for one piece of
// work in KiB, or -1 when free.
const SAMPLER = `
const { workerData } = require('node:worker_threads');
const cells = new Int32Array(workerData);
const nap = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  if (Atomics.load(cells, 0) === 0) Atomics.wait(cells, 0, 0);
  const kib = Math.round(process.memoryUsage.rss() / ${KIB});
  for (let i = 1; i < cells.length; i++) {
    for (;;) {
      const seen = Atomics.load(cells, i);
      if (seen < 0 || seen >= kib || Atomics.compareExchange(cells, i, seen, kib) === seen) break;
    }
  }
  Atomics.wait(nap, 0, 0, ${SAMPLE_MS});
}
`;

let started: Promise<Int32Array> | undefined;

/** The sampling thread, started on first use; resolves once it runs, so its start is no job's cost. */
function sampler(): Promise<Int32Array> {
  started ??= new Promise((resolve, reject) => {
    const cells = new Int32Array(new SharedArrayBuffer((SLOTS + 1) * 4)).fill(-1);
    cells[0] = 0;
    const thread = new Worker(SAMPLER, { eval: true, workerData: cells.buffer });
    // The sampler never keeps the process alive.
    thread.unref();
    thread.once('online', () => resolve(cells));
    thread.once('error', reject);
  });
  return started;
}

const rssKiB = (): number => Math.round(process.memoryUsage.rss() / KIB);

/** Runs `work` and returns what it returned with this process's peak resident size over it, in MiB. */
export async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakRssMiB: number }> {
  const c = await sampler();
  let slot = -1;
  const start = rssKiB();
  for (let i = 1; i < c.length && slot < 0; i++) if (Atomics.compareExchange(c, i, -1, start) === -1) slot = i;
  // More pieces of work at once than slots: the start and end values only.
  let peak = start;
  if (slot > 0) {
    Atomics.add(c, 0, 1);
    Atomics.notify(c, 0);
  }
  try {
    const result = await work();
    peak = Math.max(peak, rssKiB());
    return { result, peakRssMiB: Math.round((Math.max(peak, slot > 0 ? Atomics.load(c, slot) : 0) / KIB) * 10) / 10 };
  } finally {
    if (slot > 0) {
      Atomics.sub(c, 0, 1);
      Atomics.store(c, slot, -1);
    }
  }
}
