// A worker process for the queued tests: what `rafcast worker` starts, on a queue of the test's own
// (the command always uses the default queue), so no test's worker takes another test's jobs.
//
//   node --import tsx test/queue-worker.ts redis://127.0.0.1:6379 <queue> [lock seconds]
import { connectionOf, startWorker } from '../pipelines/queue.ts';

const [url, queue, lockSeconds = '120'] = process.argv.slice(2);
if (url === undefined || queue === undefined) throw new Error('usage: test/queue-worker.ts REDIS_URL QUEUE [LOCK_SECONDS]');
startWorker(connectionOf(url), { queue, lockMs: Number(lockSeconds) * 1000 });
