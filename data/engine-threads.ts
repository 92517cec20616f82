// How many threads a process's engines may use, set by `rafcast worker --threads` for the worker
// and the child processes its jobs run in (pipelines/stage-process.ts inherits the environment):
// RAFCAST_THREADS caps DuckDB's threads (data/duckdb.ts) and the WebAssembly backend's
// (models/backend.ts); TensorFlow's native backend (tfjs-node) reads its own variables, set with it.
// Unset, every engine takes the machine's cores, as before.
import { ConfigError } from './errors.ts';

export const THREADS_VARIABLE = 'RAFCAST_THREADS';

/** The engines' thread limit in this process, or undefined when none is set. */
export function engineThreads(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env[THREADS_VARIABLE];
  if (v === undefined || v === '') return undefined;
  if (!/^[1-9]\d{0,3}$/.test(v)) throw new ConfigError(`${THREADS_VARIABLE} must be a whole number of threads from 1, not "${v}"`);
  return Number(v);
}

/**
 * The environment that limits a process's engines to `n` threads: ours, and TensorFlow's own
 * (its inter- and intra-op thread pools, and OpenMP's where a build uses it).
 */
export const engineThreadsEnv = (n: number): Record<string, string> => ({
  [THREADS_VARIABLE]: String(n),
  TF_NUM_INTEROP_THREADS: String(n),
  TF_NUM_INTRAOP_THREADS: String(n),
  OMP_NUM_THREADS: String(n),
});
