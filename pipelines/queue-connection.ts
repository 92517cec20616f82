// Which Redis and which BullMQ queue a run's jobs are on: the light part of the queued flow, which
// `rafcast status` and the producer share with the workers.
import type { ConnectionOptions } from 'bullmq';
import { ConfigError, IoError, ioReason } from '../data/errors.ts';

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

/**
 * Connects once to the Redis at `url` and pings it, so that a command given an unreachable Redis
 * says so (`E_IO: cannot reach Redis at <url>: connection refused`, exit 2) instead of BullMQ's
 * connection retrying forever and printing raw errors.
 */
export async function requireRedis(url: string, timeoutMs = 5000): Promise<void> {
  const { Redis } = await import('ioredis');
  const c = connectionOf(url) as { host: string; port: number; db: number };
  const client = new Redis({ host: c.host, port: c.port, db: c.db, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // The socket's own error (ECONNREFUSED, ...) comes as an event; connect() then only says "Connection is closed".
  let cause: unknown;
  client.on('error', (e) => (cause ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    const e = cause ?? err;
    const code = (e as { code?: string }).code;
    const why = code !== undefined ? ioReason(code) : (e as Error).message.replace(/^Error: /, '');
    throw new IoError('cannot reach Redis at', url, `${why} (start redis-server there, or give --redis the address of one)`, false);
  } finally {
    client.disconnect();
  }
}
