// Progress on stderr for the commands' long work: a bar on a terminal, quiet (or a line per
// change) in CI logs and pipes. Commands import this file inside their actions, so `--help` does
// not load cli-progress.
import cliProgress from 'cli-progress';

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
