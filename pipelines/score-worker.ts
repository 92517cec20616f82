// The scoring worker thread: builds a ChunkScorer from the run's context and scores raw chunks.
import { parentPort, workerData } from 'node:worker_threads';
import { RafcastError } from '../data/errors.ts';
import type { RawChunk } from '../data/record-readers.ts';
import { ChunkScorer } from './score-file.ts';
import type { WorkerInit, WorkerReply } from './score-workers.ts';

const init = workerData as WorkerInit;
const scorer = new ChunkScorer(init.ctx);

parentPort!.on('message', (msg: { seq: number; chunk: RawChunk }) => {
  let reply: WorkerReply;
  try {
    reply = { seq: msg.seq, result: scorer.scoreRaw(init.format, msg.chunk, init.columns) };
  } catch (e) {
    const err = e as Error;
    reply =
      e instanceof RafcastError
        ? { seq: msg.seq, error: { message: err.message, code: e.code, unrecoverable: e.unrecoverable } }
        : { seq: msg.seq, error: { message: err.stack ?? err.message } };
  }
  parentPort!.postMessage(reply);
});
