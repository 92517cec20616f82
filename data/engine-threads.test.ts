// RAFCAST_THREADS (rafcast worker --threads): DuckDB opened in a process with it set uses that many
// threads, and a value that is not a count is refused with the variable's name.
import { afterEach, describe, expect, it } from 'vitest';
import { openDuckDb } from './duckdb.ts';
import { THREADS_VARIABLE, engineThreads, engineThreadsEnv } from './engine-threads.ts';

const threadsOf = async (): Promise<string> => {
  const db = await openDuckDb();
  try {
    return String((await db.connection.runAndReadAll("SELECT current_setting('threads') AS t")).getRowObjectsJson()[0]!.t);
  } finally {
    db.close();
  }
};

describe('the engines thread limit', () => {
  const before = process.env[THREADS_VARIABLE];
  afterEach(() => {
    if (before === undefined) delete process.env[THREADS_VARIABLE];
    else process.env[THREADS_VARIABLE] = before;
  });

  it("sets DuckDB's threads", async () => {
    // 1 and 7: at least one of them differs from DuckDB's default (the machine's cores) on any machine.
    process.env[THREADS_VARIABLE] = '1';
    expect(await threadsOf()).toBe('1');
    process.env[THREADS_VARIABLE] = '7';
    expect(await threadsOf()).toBe('7');
  });

  it('gives the jobs TensorFlow’s own variables with ours', () => {
    expect(engineThreadsEnv(1)).toEqual({ RAFCAST_THREADS: '1', TF_NUM_INTEROP_THREADS: '1', TF_NUM_INTRAOP_THREADS: '1', OMP_NUM_THREADS: '1' });
  });

  it('refuses a value that is not a count of threads', () => {
    expect(engineThreads({ RAFCAST_THREADS: '2' })).toBe(2);
    expect(engineThreads({})).toBeUndefined();
    for (const bad of ['0', '-1', '1.5', 'two']) expect(() => engineThreads({ RAFCAST_THREADS: bad })).toThrow(/RAFCAST_THREADS must be a whole number/);
  });
});
