// Which Redis and which BullMQ queue a run's jobs are on: the light part of the queued flow, which
// `rafcast status` and the producer share with the workers.
import type { ConnectionOptions } from 'bullmq';
import { ConfigError } from '../data/errors.ts';

/** The queue runs go on unless told otherwise (tests give each their own). */
export const QUEUE = 'rafcast';

/** Which queue a run's jobs are on. */
export interface QueueChoice {
  /** The BullMQ queue name (default `QUEUE`). */
  queue?: string;
}

export function connectionOf(url: string): ConnectionOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:') throw new ConfigError(`--redis must be a redis:// URL, found ${url}`);
  return { host: u.hostname, port: Number(u.port || 6379), db: Number(u.pathname.slice(1) || 0), maxRetriesPerRequest: null };
}
