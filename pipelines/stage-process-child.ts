// The child side of stage-process.ts: runs one job at a time with the same processor as the
// in-process flow, and answers with success or the error (its code and whether a retry can help).
// It ends when its worker goes: a worker killed mid-job leaves no job running behind it.
import { RafcastError } from '../data/errors.ts';
import { processStage } from './processors.ts';
import { timed, type StageReply, type StageRequest } from './stage-process.ts';

process.on('disconnect', () => process.exit(1));
// Ctrl-C reaches the whole process group: the worker decides (it lets running jobs finish).
process.on('SIGINT', () => undefined);
process.on('message', (m: StageRequest) => {
  // A fan-out reaches a child only once its children are done (data.step 'waiting').
  void timed(() =>
    processStage(m.name, m.data, async () => {
      if (!('step' in m.data && m.data.step === 'waiting')) throw new Error(`${m.name} cannot add jobs from a child process`);
    }),
  ).then(
    (timing) => process.send!({ id: m.id, ok: true, timing } satisfies StageReply),
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      const reply: StageReply = {
        id: m.id,
        ok: false,
        error: { message: err.message, ...(err instanceof RafcastError ? { code: err.code, unrecoverable: err.unrecoverable } : {}) },
      };
      process.send!(reply);
    },
  );
});
