// A worker's CPU-heavy jobs (history, features, training, prediction, evaluation: TensorFlow.js
// and long JavaScript loops hold the thread they run on) each run in a child process of the
// worker, so one worker with --concurrency N uses N cores. Children are kept and reused: a child
// boots in about a second (its loader, modules, the TensorFlow.js backend). A child that dies
// fails its job with an error a retry can fix, and is replaced on the next job.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RafcastError, type ErrorCode } from '../data/errors.ts';
import type { JobData, JobName } from './jobs.ts';
import { withPeakRss } from './peak-rss.ts';

export interface StageRequest {
  id: number;
  name: JobName;
  data: JobData;
}

/**
 * What a job cost in the process that ran it: its wall time, the CPU time of that process over
 * the job, every thread of it (DuckDB's included), user and system, and that process's peak
 * resident memory during the job (peak-rss.ts). A queued job returns it (its BullMQ return value),
 * so a run's cost per stage and job is read back from Redis (flow-status.ts runJobTimings).
 */
export interface JobTiming {
  wallSeconds: number;
  cpuSeconds: number;
  /** The process's peak resident size during the job, MiB: a child's for a worker's isolated job, the whole worker's in process. Absent in what older workers returned. */
  peakRssMiB?: number;
}

/** Measures `work` in this process: wall time, CPU time (process.cpuUsage, all threads) and peak resident size. */
export async function timed(work: () => Promise<void>): Promise<JobTiming> {
  const { result, peakRssMiB } = await withPeakRss(async () => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await work();
    const cpu = process.cpuUsage(cpu0);
    return { wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  });
  return { ...result, peakRssMiB };
}

export type StageReply = { id: number; ok: true; timing: JobTiming } | { id: number; ok: false; error: { message: string; code?: ErrorCode; unrecoverable?: boolean } };

const ENTRY = fileURLToPath(new URL('./stage-process-entry.js', import.meta.url));

export class StageProcessPool {
  private readonly idle: ChildProcess[] = [];
  private next = 0;
  private closed = false;

  /** Runs one job's processor in a child process; resolves when it is done, with what it cost there. */
  async run(name: JobName, data: JobData): Promise<JobTiming> {
    if (this.closed) throw new Error('the stage process pool is closed');
    const child = this.idle.pop() ?? this.spawn();
    const id = this.next++;
    try {
      const timing = await new Promise<JobTiming>((resolve, reject) => {
        const onMessage = (reply: StageReply): void => {
          if (reply.id !== id) return;
          cleanup();
          if (reply.ok) resolve(reply.timing);
          else if (reply.error.code !== undefined) reject(new RafcastError(reply.error.code, reply.error.message, reply.error.unrecoverable ?? true));
          else reject(new Error(reply.error.message));
        };
        const onExit = (code: number | null, signal: string | null): void => {
          cleanup();
          reject(new Error(`the process running ${name} ended (${signal ?? `exit code ${code}`}); the job is retried if it has attempts left`));
        };
        const cleanup = (): void => {
          child.off('message', onMessage);
          child.off('exit', onExit);
        };
        child.on('message', onMessage);
        child.on('exit', onExit);
        child.send({ id, name, data } satisfies StageRequest);
      });
      if (this.closed) child.kill();
      else this.idle.push(child);
      return timing;
    } catch (e) {
      // A child that failed a job may hold half-freed native memory: start a new one next time.
      child.kill();
      throw e;
    }
  }

  private spawn(): ChildProcess {
    // stdout is the parent's; the child logs nothing with member ids (processors never do).
    const child = fork(ENTRY, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('error', () => undefined);
    return child;
  }

  /** Ends the idle children now and the busy ones when their jobs end. */
  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.kill();
  }
}
