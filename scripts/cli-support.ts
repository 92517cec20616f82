// Shared pieces of the command-line entry points: option parsers, how help and usage errors look,
// and error reporting. Library code never prints; commands do. This file is loaded for every
// command, `--help` included, so it imports nothing heavy (progress bars are in progress.ts).
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Help, InvalidArgumentError, type Command, type Option } from 'commander';
import { asIoError, duckDbIoMessage, fsErrorCode, IoError, RafcastError } from '../data/errors.ts';
import { parseCutoff } from '../data/received-by.ts';
import { removeTemporaryFiles } from '../data/temporary-files.ts';
import { MODEL_VERSIONS, type ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import { MODEL_KINDS, type ModelKind } from '../models/model-kinds.ts';
import { connectionOf } from '../pipelines/queue-connection.ts';

/** The exit code of a usage error (a missing or bad option) and of bad input or configuration. */
export const USAGE_EXIT_CODE = 2;

/** Bounds of a number option; each is inclusive unless marked exclusive. */
export interface OptionRange {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

/** The range in words, for the error: "from 1 to 64", "above 0", "at least 0", ... */
function rangeWords(r: OptionRange): string {
  const lo = r.min === undefined ? undefined : `${r.minExclusive === true ? 'above' : 'at least'} ${r.min}`;
  const hi = r.max === undefined ? undefined : `${r.maxExclusive === true ? 'below' : 'at most'} ${r.max}`;
  if (r.min !== undefined && r.max !== undefined && r.minExclusive !== true && r.maxExclusive !== true) return `from ${r.min} to ${r.max}`;
  return [lo, hi].filter((w) => w !== undefined).join(' and ');
}

function inRange(n: number, r: OptionRange): boolean {
  if (r.min !== undefined && (r.minExclusive === true ? n <= r.min : n < r.min)) return false;
  if (r.max !== undefined && (r.maxExclusive === true ? n >= r.max : n > r.max)) return false;
  return true;
}

/** The one check of a number against its option's range, the option named in the message. */
function checkRange(name: string, n: number, value: string, r: OptionRange, kind: string): number {
  if (!inRange(n, r)) throw new InvalidArgumentError(`${name} must be ${kind} ${rangeWords(r)}, found "${value}"`);
  return n;
}

/** A number option (finite), within `range` when given. */
export function parseNumberOption(name: string, range: OptionRange = {}) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, found "${value}"`);
    return checkRange(name, n, value, range, 'a number');
  };
}

/** A whole-number option, within `range` when given. */
export function parseIntegerOption(name: string, range: OptionRange = {}) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${name} must be a whole number, found "${value}"`);
    return checkRange(name, n, value, range, 'a whole number');
  };
}

/**
 * The years rafcast takes (as-of, payment, service and table years): 2000-2099, from DE-SynPUF's
 * 2008-2010 to the end of the century. A typo such as 202 or 20245 is caught here.
 */
export const YEAR_RANGE = { min: 2000, max: 2099 } as const;

/** A year option: a whole number in YEAR_RANGE. */
export function parseYearOption(name: string) {
  return parseIntegerOption(name, YEAR_RANGE);
}

/** A count (members, shards, jobs, rows to show, seconds): a whole number, at least 1. */
export function parseCountOption(name: string) {
  return parseIntegerOption(name, { min: 1 });
}

/** A random seed: the generators take 32 bits (data/random.ts), so 0 to 4294967295. */
export function parseSeedOption(name: string) {
  return parseIntegerOption(name, { min: 0, max: 0xffffffff });
}

/** An amount of dollars (a base rate): a number above 0. */
export function parseDollarsOption(name: string) {
  return parseNumberOption(name, { min: 0, minExclusive: true });
}

/** A share of something (a list's share of the members, rejected rows): from 0 to 1; `positive`: above 0. */
export function parseShareOption(name: string, positive = false) {
  return parseNumberOption(name, { min: 0, max: 1, ...(positive ? { minExclusive: true } : {}) });
}

/** DuckDB's memory limit: a number and a unit, such as 512MB, 4GB or 1.5GiB. */
export function parseMemoryLimit(value: string): string {
  if (!/^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$/i.test(value) || Number.parseFloat(value) <= 0) {
    throw new InvalidArgumentError(`--memory-limit takes a size such as 512MB, 4GB or 1.5GiB, found "${value}"`);
  }
  return value.trim();
}

/** A Redis address, checked by pipelines/queue-connection.ts's connectionOf (redis://host[:port][/db]). */
export function parseRedisUrl(value: string): string {
  try {
    connectionOf(value);
  } catch {
    throw new InvalidArgumentError(`--redis takes a redis:// URL such as redis://127.0.0.1:6379, found "${value}"`);
  }
  return value;
}

/** A BullMQ queue name: letters, digits, '-', '_' and '.' (BullMQ keys are joined with ':'). */

export function parseQueueName(value: string): string {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(value)) throw new InvalidArgumentError(`--queue takes letters, digits, '-', '_' and '.' (at most 100), found "${value}"`);
  return value;
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
  for (const y of [first, last]) if (!inRange(y, YEAR_RANGE)) throw new InvalidArgumentError(`--years must be years ${rangeWords(YEAR_RANGE)}, found "${value}"`);
  if (last < first) throw new InvalidArgumentError(`--years runs backwards: "${value}"`);
  return [first, last];
}

/** --data-through checked by data/received-by.ts's parseCutoff, its message given as commander's (history, features, train, predict, evaluate, candidates, run). */
export function parseDataThrough(value: string): string {
  try {
    return parseCutoff(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/**
 * The options a command was given, those not given left out rather than set to undefined (an
 * explicit undefined would still override a default wherever a run spreads its options over
 * defaults): `...givenOptions({ history: o.history, rejectedDir: o.rejected })`.
 */
export function givenOptions<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** The quarantine files a command writes into its output folder, `<table>.rejected.csv`, for claimOutputFolder's list. */
export function rejectedFileNames(tables: readonly string[]): string[] {
  return tables.map((t) => `${t}.rejected.csv`);
}

/** The help line of --data-through, the same on every command that takes it. */
export const DATA_THROUGH_HELP = 'the data cut-off (YYYY-MM-DD): only claims received by then count (received_date; without one, thru_date); default January 1 of the as-of year';

export function parseModelOption(value: string): ModelVersion {
  const v = value.toUpperCase();
  if (!(MODEL_VERSIONS as readonly string[]).includes(v)) {
    throw new InvalidArgumentError(`unknown model ${value}; available: ${MODEL_VERSIONS.join(', ')}`);
  }
  return v as ModelVersion;
}

/** Parses "V24=0.33,V28=0.67"; repeated options accumulate. The weights' and factors' ranges are scoring/payment-score.ts's to check. */
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

const isModelKind = (v: string): v is ModelKind => (MODEL_KINDS as readonly string[]).includes(v);

/** Parses one classifier kind (`rafcast train --model`). */
export function parseModelKind(value: string): ModelKind {
  if (!isModelKind(value)) throw new InvalidArgumentError(`--model must be one of ${MODEL_KINDS.join(', ')}`);
  return value;
}

/** Parses comma-separated classifier kinds (`rafcast run --models`). */
export function parseModelKinds(value: string): ModelKind[] {
  return value.split(',').map((k) => {
    const kind = k.trim();
    if (!isModelKind(kind)) throw new InvalidArgumentError(`--models: unknown model ${kind}`);
    return kind;
  });
}

/** What a file-system call was doing, for `E_IO: <what> <path>: <why>` (Node's error names the call: err.syscall). */
const IO_WHAT: Record<string, string> = {
  mkdir: 'cannot create the folder',
  mkdtemp: 'cannot create a temporary folder in',
  open: 'cannot open',
  read: 'cannot read',
  write: 'cannot write',
  rename: 'cannot move a finished file into place at',
  copyfile: 'cannot copy',
  unlink: 'cannot remove',
  rmdir: 'cannot remove the folder',
  rm: 'cannot remove',
  scandir: 'cannot list the folder',
  opendir: 'cannot list the folder',
  stat: 'cannot read',
  lstat: 'cannot read',
  access: 'cannot reach',
  chmod: 'cannot set the permissions of',
  fsync: 'cannot write',
};

/**
 * Any error as the command line reports it: a RafcastError as it is; a Node file-system error
 * (EACCES, EROFS, ENOSPC, ENOTDIR, ...) as an IoError naming what was being done, the path and why;
 * DuckDB's "IO Error" (a file it could not open or write) as E_IO; anything else unchanged.
 */
export function reportableError(e: unknown): unknown {
  if (e instanceof RafcastError) return e;
  const syscall = (e as { syscall?: unknown } | null)?.syscall;
  if (fsErrorCode(e) !== undefined && typeof (e as { path?: unknown }).path === 'string') {
    // A rename fails on its destination's folder: name the destination.
    const dest = (e as { dest?: unknown }).dest;
    return asIoError(e, IO_WHAT[String(syscall)] ?? `cannot ${String(syscall ?? 'use')}`, syscall === 'rename' && typeof dest === 'string' ? dest : undefined);
  }
  const duckDb = duckDbIoMessage(e);
  if (duckDb !== undefined) return new RafcastError('E_IO', duckDb);
  return e;
}

/** What to say when a command is stopped by a signal: what was stopped and how to go on. */
export type StopHint = () => string;

const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Until the action ends, Ctrl-C (SIGINT) and SIGTERM stop the command at once: it says what was
 * stopped and how to go on (`hint`), removes its temporary files (data/temporary-files.ts) and
 * exits with 128 + the signal's number (130, 143), as a shell reports a process the signal ended.
 * Outputs are written to temporary files renamed into place (data/atomic-file.ts), so none is
 * left half-written. Returns the function that takes the handlers off.
 */
function stopOnSignals(hint: StopHint): () => void {
  const handlers = (Object.keys(SIGNAL_EXIT) as (keyof typeof SIGNAL_EXIT)[]).map((signal) => {
    const handler = (): void => {
      process.stderr.write(`\nstopped by ${signal === 'SIGINT' ? 'Ctrl-C (SIGINT)' : 'SIGTERM'}: ${hint()}\n`);
      // Loaded with this file: the list of temporary paths is this process's, whatever loaded it.
      removeTemporaryFiles();
      process.exit(SIGNAL_EXIT[signal]);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

/** What a stopped command says when it gives no hint of its own. */
const DEFAULT_STOP_HINT: StopHint = () => 'nothing was left half-written and its temporary files are removed; run the command again to redo it';

export interface ActionOptions {
  /** What was stopped and how to go on, said on Ctrl-C or SIGTERM; `false`: the command handles signals itself (rafcast worker). */
  onStop?: StopHint | false;
  /** The --out folder (or, with `outIsFile`, the --out file, whose folder is made): created first, owner-only, so a bad place fails before any work. */
  out?: string;
  outIsFile?: boolean;
}

/**
 * Creates the --out folder (and its parents) owner-only, or says which folder could not be
 * created and why: `E_IO: cannot create the --out folder <dir>: <why>`.
 */
export async function createOutFolder(out: string, outIsFile = false): Promise<void> {
  const dir = outIsFile ? dirname(out) : out;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    const what = outIsFile ? `--out ${out}: cannot create its folder` : 'cannot create the --out folder';
    // mkdir -p on a path that exists as a file says EEXIST: say what is there.
    throw fsErrorCode(e) === 'EEXIST' ? new IoError(what, dir, 'a file of that name is there') : asIoError(e, what, dir);
  }
}

/**
 * Runs a command action, reporting errors as `error CODE: message` with exit code 2 (1 if
 * unexpected): bad input, bad settings and file-system failures (reportableError) are the
 * caller's to fix, and none prints a stack trace.
 */
export async function runAction(action: () => Promise<void>, opts: ActionOptions = {}): Promise<void> {
  const release = opts.onStop === false ? () => undefined : stopOnSignals(opts.onStop ?? DEFAULT_STOP_HINT);
  try {
    if (opts.out !== undefined) await createOutFolder(opts.out, opts.outIsFile);
    await action();
  } catch (caught) {
    const e = reportableError(caught);
    if (e instanceof RafcastError) {
      process.stderr.write(`error ${e.code}: ${e.message}\n`);
      process.exitCode = USAGE_EXIT_CODE;
    } else {
      process.stderr.write(`unexpected error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  } finally {
    release();
    removeTemporaryFiles();
  }
}

/**
 * How every command's help and usage errors behave; set on the program before its commands are
 * added (commander copies these settings to each command it creates). Required options say so in
 * the help; a usage error (an option missing or malformed, an unknown command) prints the help and
 * exits with code 2, as bad input does, where commander would use 1.
 */
export function configureProgram(program: Command): Command {
  return program
    .configureHelp({
      optionDescription(this: Help, option: Option): string {
        const text = Help.prototype.optionDescription.call(this, option);
        return option.mandatory ? `${text} (required)` : text;
      },
    })
    .showHelpAfterError()
    .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : USAGE_EXIT_CODE));
}

/** This package's version, from the package.json above this file (scripts/ in the sources, dist/scripts/ when built). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}
