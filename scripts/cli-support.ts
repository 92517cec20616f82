// Shared pieces of the command-line entry points: option parsers, how help and usage errors look,
// and error reporting. Library code never prints; commands do. This file is loaded for every
// command, `--help` included, so it imports nothing heavy (progress bars are in progress.ts).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Help, InvalidArgumentError, type Command, type Option } from 'commander';
import { RafcastError } from '../data/errors.ts';
import { parseCutoff } from '../data/received-by.ts';
import { MODEL_VERSIONS, type ModelVersion } from '../data/reference/cms-hcc-tables.ts';
import { MODEL_KINDS, type ModelKind } from '../models/model-kinds.ts';

/** The exit code of a usage error (a missing or bad option) and of bad input or configuration. */
export const USAGE_EXIT_CODE = 2;

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

/** --data-through checked by data/received-by.ts's parseCutoff, its message given as commander's (history, features, train, predict, evaluate, candidates, run). */
export function parseDataThrough(value: string): string {
  try {
    return parseCutoff(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
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

const isModelKind = (v: string): v is ModelKind => (MODEL_KINDS as readonly string[]).includes(v);

/** Parses one classifier kind (`rafcast train --model`). */
export function parseModelKind(value: string): ModelKind {
  if (!isModelKind(value)) throw new InvalidArgumentError(`--model must be ${MODEL_KINDS.join(' or ')}`);
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

/** Runs a command action, reporting errors as `error CODE: message` with exit code 2 (1 if unexpected). */
export async function runAction(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (e) {
    if (e instanceof RafcastError) {
      process.stderr.write(`error ${e.code}: ${e.message}\n`);
      process.exitCode = USAGE_EXIT_CODE;
    } else {
      process.stderr.write(`unexpected error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
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
