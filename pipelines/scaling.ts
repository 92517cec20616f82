// Scaling past one machine (issue 20), from what each job of a queued run cost (runJobTimings in
// flow-status.ts): each stage's CPU-seconds and its serial part, and Amdahl's law for the time the
// flow would take on more cores. The jobs of a fan-out over shards run side by side: the parallel
// part. A model's networks train in jobs of their own, side by side but no more of them at once
// than the model has networks; so do a stage's merges (jobs.ts mergesOf), no more at once than the
// stage has merges. Every other job runs alone whatever the number of workers: the serial part
// (the partition's merge, a model's assembly of its networks, its scores' merge and evaluation,
// the list, the report).
import { FLOW_STAGES, type Stage } from './jobs.ts';
import type { JobTimingRow } from './flow-status.ts';

export interface StageCost {
  stage: Stage;
  /** CPU-seconds of every job of the stage. */
  cpuSeconds: number;
  /** CPU-seconds of its jobs that are neither one of a set of shards nor one of a model's networks. */
  serialSeconds: number;
  /** CPU-seconds of its jobs that train one of a model's networks. */
  networkSeconds: number;
  /** CPU-seconds of its merges, and how many it ran (side by side, at most that many at once). */
  mergeSeconds: number;
  merges: number;
  jobs: number;
}

/** A job of a fan-out over shards or over the partition's pieces: one of many that run side by side. */
export const isShardJob = (r: Pick<JobTimingRow, 'shard' | 'piece'>): boolean => r.shard !== undefined || r.piece !== undefined;

/** A job that trains one of a model's networks: side by side with the model's other networks. */
export const isNetworkJob = (r: Pick<JobTimingRow, 'name'>): boolean => r.name === 'train-network';

/** A job that merges one of a stage's keys from its shards: side by side with the stage's other merges. */
export const isMergeJob = (r: Pick<JobTimingRow, 'name'>): boolean => r.name === 'merge';

/** A job that runs alone whatever the number of workers: neither a shard's or a piece's, nor a network's, nor a merge's. */
export const isSerialJob = (r: Pick<JobTimingRow, 'name' | 'shard' | 'piece'>): boolean => !isShardJob(r) && !isNetworkJob(r) && !isMergeJob(r);

/** Each stage's CPU-seconds and serial part, in flow order (stages with no timed job left out). */
export function stageCosts(rows: readonly JobTimingRow[]): StageCost[] {
  return FLOW_STAGES.map((stage) => {
    const of = rows.filter((r) => r.stage === stage);
    return {
      stage,
      cpuSeconds: of.reduce((a, r) => a + r.cpuSeconds, 0),
      serialSeconds: of.filter(isSerialJob).reduce((a, r) => a + r.cpuSeconds, 0),
      networkSeconds: of.filter(isNetworkJob).reduce((a, r) => a + r.cpuSeconds, 0),
      mergeSeconds: of.filter(isMergeJob).reduce((a, r) => a + r.cpuSeconds, 0),
      merges: of.filter(isMergeJob).length,
      jobs: of.length,
    };
  }).filter((c) => c.jobs > 0);
}

/** The serial part of the flow's CPU-seconds: what no number of workers shortens. */
export function serialFraction(costs: readonly StageCost[]): number {
  const cpu = costs.reduce((a, c) => a + c.cpuSeconds, 0);
  if (!(cpu > 0)) throw new RangeError('no CPU time recorded: the run has no timed jobs');
  return costs.reduce((a, c) => a + c.serialSeconds, 0) / cpu;
}

/** The networks' part of the flow's CPU-seconds: what runs side by side on as many cores as a model has networks. */
export function networkFraction(costs: readonly StageCost[]): number {
  const cpu = costs.reduce((a, c) => a + c.cpuSeconds, 0);
  if (!(cpu > 0)) throw new RangeError('no CPU time recorded: the run has no timed jobs');
  return costs.reduce((a, c) => a + c.networkSeconds, 0) / cpu;
}

/**
 * Amdahl's law with parts of several widths: the time on `cores` cores of a flow that takes `t1`
 * seconds on one, each part a fraction of it that splits into at most `pieces` jobs:
 * t1 x the sum of fraction / min(cores, pieces). The serial part is the part of one piece.
 */
export function amdahlPartsSeconds(t1: number, parts: readonly { fraction: number; pieces: number }[], cores: number): number {
  if (!(cores >= 1)) throw new RangeError('cores and pieces are at least 1');
  const total = parts.reduce((a, p) => a + p.fraction, 0);
  if (parts.some((p) => !(p.fraction >= 0)) || Math.abs(total - 1) > 1e-9) throw new RangeError(`the parts' fractions are at least 0 and add up to 1, not ${total}`);
  if (parts.some((p) => !(p.pieces >= 1))) throw new RangeError('cores and pieces are at least 1');
  return t1 * parts.reduce((a, p) => a + p.fraction / Math.min(cores, p.pieces), 0);
}

/**
 * Amdahl's law: the time on `cores` cores of a flow that takes `t1` seconds on one, of which the
 * fraction `serial` cannot be split: t1 x (serial + (1 - serial) / min(cores, pieces)). The
 * parallel part splits into `pieces` jobs at most (the run's shards): beyond that, cores wait.
 */
export function amdahlSeconds(t1: number, serial: number, cores: number, pieces = Infinity): number {
  if (!(serial >= 0 && serial <= 1)) throw new RangeError(`a serial fraction is between 0 and 1, not ${serial}`);
  return amdahlPartsSeconds(t1, [{ fraction: serial, pieces: 1 }, { fraction: 1 - serial, pieces }], cores);
}

/**
 * The most a run on `workers` workers sharing one machine of `cores` cores can gain over `t1`, the
 * one-worker time, however the jobs are arranged: the workers' jobs took `jobsCpuSeconds` in all,
 * and the machine gives at most `cores` CPU-seconds a second, so the run lasts at least
 * jobsCpuSeconds / cores. Jobs that share a machine's cores, caches and memory cost more CPU than
 * the same jobs alone, so this can stay under the workers' count with no serial part at all.
 */
export function sharedMachineCeiling(t1: number, jobsCpuSeconds: number, cores: number): number {
  if (!(t1 > 0) || !(jobsCpuSeconds > 0) || !(cores >= 1)) throw new RangeError('a time, CPU-seconds and cores above 0 (cores at least 1)');
  return t1 / (jobsCpuSeconds / cores);
}
