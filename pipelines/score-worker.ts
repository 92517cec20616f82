// The scoring worker thread: builds a ChunkScorer from the run's context, compiles its models
// while the main thread opens the input, and scores the blocks it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { RafcastError } from '../data/errors.ts';
import { ChunkScorer } from './chunk-scorer.ts';
import type { WorkerInit, WorkerReply, WorkerTask } from './score-worker-messages.ts';

const init = workerData as WorkerInit;
const scorer = new ChunkScorer(init.ctx);
scorer.prepare();

parentPort!.on('message', (task: WorkerTask) => {
  let reply: WorkerReply;
  try {
    reply = { seq: task.seq, result: scorer.scoreRaw(task.format, task.chunk, task.columns) };
  } catch (e) {
    const err = e as Error;
    reply =
      e instanceof RafcastError
        ? { seq: task.seq, error: { message: err.message, code: e.code, unrecoverable: e.unrecoverable } }
        : { seq: task.seq, error: { message: err.stack ?? err.message } };
  }
  // Output bytes move to the main thread without a copy.
  const out = 'result' in reply ? reply.result.out : undefined;
  parentPort!.postMessage(reply, out instanceof Uint8Array ? [out.buffer as ArrayBuffer] : []);
});
