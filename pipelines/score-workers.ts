// Worker threads for `rafcast score`: the main thread reads raw rows and writes results in order;
// each worker parses, validates and scores whole blocks with the same ChunkScorer as the
// in-thread path, so the output is the same byte for byte. The pool is started before the input
// is opened (a worker takes about 0.6 s to boot: its own loader, modules, compiled models), so
// that boot overlaps staging a Parquet input.
import { Worker } from 'node:worker_threads';
import { RafcastError, type ErrorCode } from '../data/errors.ts';
import type { RawChunk } from '../data/text-rows.ts';
import type { ChunkResult, ScoreContext } from './chunk-scorer.ts';
import type { WorkerInit, WorkerReply, WorkerTask } from './score-worker-messages.ts';

const ENTRY = new URL('./score-worker-entry.js', import.meta.url);
// A 64 MB young generation: with the default, scavenges took 12-15% of a worker's time (rows
// make many short-lived strings); 64 measured faster than 32, 96, 160 and 256.
const YOUNG_GENERATION_MB = 64;

export class ScoreWorkerPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  constructor(count: number, ctx: ScoreContext) {
    const init: WorkerInit = { ctx };
    this.workers = Array.from(
      { length: count },
      () => new Worker(ENTRY, { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } }),
    );
    for (const w of this.workers) {
      w.on('message', (reply: WorkerReply) => this.settle(reply));
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`a scoring worker stopped with exit code ${code}`));
      });
    }
  }

  private settle(reply: WorkerReply): void {
    const p = this.waiting.get(reply.seq);
    if (p === undefined) return;
    this.waiting.delete(reply.seq);
    if ('result' in reply) p.resolve(reply.result);
    else {
      const err = reply.error.code
        ? new RafcastError(reply.error.code as ErrorCode, reply.error.message, reply.error.unrecoverable ?? true)
        : new Error(reply.error.message);
      p.reject(err);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  /** Scores the blocks on the workers, handing results to `take` in input order. */
  async run(
    format: 'jsonl' | 'csv',
    columns: string[] | undefined,
    chunks: AsyncGenerator<RawChunk>,
    take: (r: ChunkResult) => Promise<void>,
  ): Promise<void> {
    const inFlight: Promise<ChunkResult>[] = [];
    const maxInFlight = this.workers.length * 2;
    let seq = 0;
    try {
      for await (const chunk of chunks) {
        if (this.failure) throw this.failure;
        const task: WorkerTask = { seq: seq++, chunk, format, columns };
        const worker = this.workers[task.seq % this.workers.length]!;
        inFlight.push(
          new Promise<ChunkResult>((resolve, reject) => {
            this.waiting.set(task.seq, { resolve, reject });
            worker.postMessage(task);
          }),
        );
        if (inFlight.length >= maxInFlight) await take(await inFlight.shift()!);
      }
      while (inFlight.length > 0) await take(await inFlight.shift()!);
    } finally {
      // Settle any promise left behind (after an error) before the workers go.
      inFlight.forEach((p) => p.catch(() => undefined));
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
