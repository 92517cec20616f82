// The messages between `rafcast score`'s main thread (score-workers.ts) and its worker threads
// (score-worker.ts): the run's context once, then numbered blocks of raw rows out and each
// block's result or error back. Structured-clone data only: no class instances cross.
import type { RawChunk } from '../data/text-rows.ts';
import type { ChunkResult, ScoreContext } from './chunk-scorer.ts';

/** The worker's workerData. */
export interface WorkerInit {
  ctx: ScoreContext;
}

export interface WorkerTask {
  seq: number;
  chunk: RawChunk;
  format: 'jsonl' | 'csv';
  columns: string[] | undefined;
}

export type WorkerReply =
  | { seq: number; result: ChunkResult }
  | { seq: number; error: { message: string; code?: string; unrecoverable?: boolean } };
