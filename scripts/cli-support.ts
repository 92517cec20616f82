// Shared pieces of the command-line entry points: option parsers, the progress bar and error
// reporting. Library code never prints; commands do, through these.
import cliProgress from 'cli-progress';
import { InvalidArgumentError } from 'commander';
import { RafcastError } from '../data/errors.ts';
import { MODEL_VERSIONS, type ModelVersion } from '../data/reference/cms-hcc-tables.ts';

export function parseNumberOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, found "${value}"`);
    return n;
  };
}

export function parseIntegerOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be a whole number, found "${value}"`);
    return n;
  };
}

export function parseOutputTableFormat(value: string): 'parquet' | 'arrow' {
  const v = value.toLowerCase();
  if (v !== 'parquet' && v !== 'arrow') throw new InvalidArgumentError(`--format takes parquet or arrow, found "${value}"`);
  return v;
}

export function parseGeneratedFormat(value: string): 'parquet' | 'csv' {
  const v = value.toLowerCase();
  if (v !== 'parquet' && v !== 'csv') throw new InvalidArgumentError(`--format takes parquet or csv, found "${value}"`);
  return v;
}

/** Parses "2021-2025" (or one year) into [first, last]. */
export function parseYearRange(value: string): [number, number] {
  const m = /^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError(`--years takes FIRST-LAST, e.g. 2021-2025, found "${value}"`);
  const first = Number(m[1]);
  const last = Number(m[2] ?? m[1]);
  if (last < first) throw new InvalidArgumentError(`--years runs backwards: "${value}"`);
  return [first, last];
}

export function parseModelOption(value: string): ModelVersion {
  const v = value.toUpperCase();
  if (!(MODEL_VERSIONS as readonly string[]).includes(v)) {
    throw new InvalidArgumentError(`unknown model ${value}; available: ${MODEL_VERSIONS.join(', ')}`);
  }
  return v as ModelVersion;
}

/** Parses "V24=0.33,V28=0.67"; repeated options accumulate. */
export function parseModelMap(name: string) {
  return (value: string, previous: Partial<Record<ModelVersion, number>> | undefined) => {
    const out: Partial<Record<ModelVersion, number>> = { ...(previous ?? {}) };
    for (const part of value.split(',')) {
      const m = /^\s*(\w+)\s*=\s*([0-9.eE+-]+)\s*$/.exec(part);
      if (!m) throw new InvalidArgumentError(`${name} takes MODEL=NUMBER[,MODEL=NUMBER], found "${part}"`);
      const model = parseModelOption(m[1]!);
      const n = Number(m[2]);
      if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name}: ${m[2]} is not a number`);
      out[model] = n;
    }
    return out;
  };
}

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal; silent otherwise (CI logs, pipes). */
export function progressBar(label: string, unit: 'bytes' | 'rows' | 'members' | 'member-years' | 'steps'): Progress {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Runs a command action, reporting errors as `error CODE: message` with exit code 2 (1 if unexpected). */
export async function runAction(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (e) {
    if (e instanceof RafcastError) {
      process.stderr.write(`error ${e.code}: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`unexpected error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  }
}

/**
 * A bar per stage of a queued run (its shards or models done of all) on a terminal; elsewhere a
 * line each time a stage's state or count changes.
 */
export function stageBars(): { update(states: { stage: string; state: string; done: number; total: number }[]): void; stop(): void } {
  if (!process.stderr.isTTY) {
    const last = new Map<string, string>();
    return {
      update(states) {
        for (const s of states) {
          const line = `${s.stage}: ${s.state}${s.total > 1 ? ` (${s.done}/${s.total})` : ''}`;
          if (last.get(s.stage) !== line && s.state !== 'unknown') process.stderr.write(`${line}\n`);
          last.set(s.stage, line);
        }
      },
      stop: () => undefined,
    };
  }
  const multi = new cliProgress.MultiBar(
    { format: '{stage} [{bar}] {value}/{total} {state}', stream: process.stderr, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    update(states) {
      for (const s of states) {
        const payload = { stage: s.stage.padEnd(10), state: s.state };
        let bar = bars.get(s.stage);
        if (bar === undefined) {
          bar = multi.create(s.total, s.done, payload);
          bars.set(s.stage, bar);
        }
        bar.setTotal(s.total);
        bar.update(s.done, payload);
      }
    },
    stop: () => multi.stop(),
  };
}
