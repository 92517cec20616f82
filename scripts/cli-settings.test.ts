// Hostile settings and places (issue 16): every option is checked against its stated range by
// one parser per kind (cli-support.ts), the usage error names the option and exits with code 2;
// a folder that cannot be made or written is reported as E_IO: <what> <path>: <why>, exit code 2,
// never a stack trace. The table parses in this process (no action runs: parsing stops at the
// bad option); two cases spawn the command line to hold the exit code end to end.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError, type Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { IoError } from '../data/errors.ts';
import { tempDir } from '../test/temp-dir.ts';
import { reportableError } from './cli-support.ts';
import { createProgram } from './rafcast.ts';

const CLI = fileURLToPath(new URL('../bin/rafcast.js', import.meta.url));

/** Parses `args` as `rafcast <args>`; returns commander's usage error and what it printed first (the help after it is cut). */
async function usageError(args: string[]): Promise<{ code: string; message: string }> {
  const program = createProgram();
  let printed = '';
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(program)) {
    c.exitOverride((e) => {
      throw e;
    });
    c.configureOutput({ writeErr: (s) => (printed += s), writeOut: () => undefined, outputError: (s) => (printed += s) });
  }
  try {
    await program.parseAsync(['node', 'rafcast', ...args]);
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.code, message: printed.split('\n')[0]! };
    throw e;
  }
  throw new Error(`rafcast ${args.join(' ')} was accepted`);
}

// A run's settings that are good, so each row changes one.
const RUN = ['run', '--data', 'plan', '--as-of', '2024'];

// [command line, the first line of the error]. The bounds are the parsers' (cli-support.ts):
// years 2000-2099, counts at least 1, seeds 0 to 2^32 - 1 = 4294967295, dollars above 0, shares 0 to 1.
const HOSTILE: [string[], string][] = [
  [[...RUN, '--shards', '0'], `error: option '--shards <n>' argument '0' is invalid. --shards must be a whole number at least 1, found "0"`],
  [[...RUN, '--shards', '2.5'], `error: option '--shards <n>' argument '2.5' is invalid. --shards must be a whole number, found "2.5"`],
  [[...RUN, '--jobs', '-1'], `error: option '--jobs <n>' argument '-1' is invalid. --jobs must be a whole number at least 1, found "-1"`],
  [[...RUN, '--base-rate', '-5'], `error: option '--base-rate <dollars>' argument '-5' is invalid. --base-rate must be a number above 0, found "-5"`],
  [[...RUN, '--base-rate', '0'], `error: option '--base-rate <dollars>' argument '0' is invalid. --base-rate must be a number above 0, found "0"`],
  [[...RUN, '--base-rate', 'Infinity'], `error: option '--base-rate <dollars>' argument 'Infinity' is invalid. --base-rate must be a number, found "Infinity"`],
  [[...RUN, '--seed', '-1'], `error: option '--seed <n>' argument '-1' is invalid. --seed must be a whole number from 0 to 4294967295, found "-1"`],
  [[...RUN, '--seed', '4294967296'], `error: option '--seed <n>' argument '4294967296' is invalid. --seed must be a whole number from 0 to 4294967295, found "4294967296"`],
  [[...RUN, '--generate', '0'], `error: option '--generate <members>' argument '0' is invalid. --generate must be a whole number at least 1, found "0"`],
  [['run', '--data', 'plan', '--as-of', '202'], `error: option '--as-of <year>' argument '202' is invalid. --as-of must be a whole number from 2000 to 2099, found "202"`],
  [['run', '--data', 'plan', '--as-of', ''], `error: option '--as-of <year>' argument '' is invalid. --as-of must be a whole number, found ""`],
  [[...RUN, '--data-through', '2024-02-30'], `error: option '--data-through <date>' argument '2024-02-30' is invalid. --data-through: expected a date as YYYY-MM-DD, found "2024-02-30"`],
  [[...RUN, '--models', 'mlp,forest'], `error: option '--models <kinds>' argument 'mlp,forest' is invalid. --models: unknown model forest`],
  [[...RUN, '--redis', 'localhost:6379'], `error: option '--redis <url>' argument 'localhost:6379' is invalid. --redis takes a redis:// URL such as redis://127.0.0.1:6379, found "localhost:6379"`],
  [[...RUN, '--queue', 'a:b'], `error: option '--queue <name>' argument 'a:b' is invalid. --queue takes letters, digits, '-', '_' and '.' (at most 100), found "a:b"`],
  [[...RUN, '--store', 'rafcast-runs/2024'], `error: option '--store <url>' argument 'rafcast-runs/2024' is invalid. --store takes s3://BUCKET/PREFIX, e.g. s3://rafcast-runs/2024, found "rafcast-runs/2024"`],
  [[...RUN, '--store', 's3://Runs_2024/x'], `error: option '--store <url>' argument 's3://Runs_2024/x' is invalid. --store takes s3://BUCKET/PREFIX, e.g. s3://rafcast-runs/2024, found "s3://Runs_2024/x"`],
  [[...RUN, '--s3-endpoint', 'minio:9000'], `error: option '--s3-endpoint <url>' argument 'minio:9000' is invalid. --s3-endpoint takes an http(s) URL such as http://127.0.0.1:9000, found "minio:9000"`],
  [['generate', '--members', '0', '--years', '2021-2025', '--out', 'x'], `error: option '--members <n>' argument '0' is invalid. --members must be a whole number at least 1, found "0"`],
  [['generate', '--members', '10', '--years', '2025-2021', '--out', 'x'], `error: option '--years <first-last>' argument '2025-2021' is invalid. --years runs backwards: "2025-2021"`],
  [['generate', '--members', '10', '--years', '1999-2001', '--out', 'x'], `error: option '--years <first-last>' argument '1999-2001' is invalid. --years must be years from 2000 to 2099, found "1999-2001"`],
  [['history', '--data', 'd', '--years', '2024-2025', '--out', 'h', '--max-rejected-share', '1.5'], `error: option '--max-rejected-share <share>' argument '1.5' is invalid. --max-rejected-share must be a number from 0 to 1, found "1.5"`],
  [['history', '--data', 'd', '--years', '2024-2025', '--out', 'h', '--memory-limit', 'lots'], `error: option '--memory-limit <size>' argument 'lots' is invalid. --memory-limit takes a size such as 512MB, 4GB or 1.5GiB, found "lots"`],
  [['history', '--data', 'd', '--years', '2024-2025', '--out', 'h', '--tables-year', '3000'], `error: option '--tables-year <year>' argument '3000' is invalid. --tables-year must be a whole number from 2000 to 2099, found "3000"`],
  [['candidates', '--run', 'r', '--as-of', '2025', '--out', 'c', '--top', '0'], `error: option '--top <share>' argument '0' is invalid. --top must be a number above 0 and at most 1, found "0"`],
  [['report', '--evaluation', 'e', '--out', 'r.html', '--top', '0'], `error: option '--top <n>' argument '0' is invalid. --top must be a whole number at least 1, found "0"`],
  [['train', '--data', 'd', '--as-of', '2025', '--out', 'm', '--model', 'forest'], `error: option '--model <kind>' argument 'forest' is invalid. --model must be one of mlp, logistic, gbdt`],
  [['worker', '--redis', 'redis://127.0.0.1:6379', '--concurrency', '0'], `error: option '--concurrency <n>' argument '0' is invalid. --concurrency must be a whole number at least 1, found "0"`],
  [['worker', '--redis', 'redis://127.0.0.1:6379', '--lock-seconds', '0.5'], `error: option '--lock-seconds <s>' argument '0.5' is invalid. --lock-seconds must be a whole number, found "0.5"`],
  [['worker', '--redis', 'redis://127.0.0.1:6379', '--threads', '0'], `error: option '--threads <n>' argument '0' is invalid. --threads must be a whole number at least 1, found "0"`],
  [['status', 'runs/x', '--redis', 'http://127.0.0.1'], `error: option '--redis <url>' argument 'http://127.0.0.1' is invalid. --redis takes a redis:// URL such as redis://127.0.0.1:6379, found "http://127.0.0.1"`],
  [['evaluate', '--run', 'r', '--as-of', '2025', '--out', 'e', '--base-rate', 'ten'], `error: option '--base-rate <dollars>' argument 'ten' is invalid. --base-rate must be a number, found "ten"`],
  [['generate', '--years', '2021-2025', '--out', 'x'], `error: required option '--members <n>' not specified`],
];

describe('hostile settings: a usage error naming the option', () => {
  it.each(HOSTILE)('rafcast %j', async (args, message) => {
    const e = await usageError(args);
    expect(e.message).toBe(message);
  });

  it('accepts the bounds themselves', async () => {
    // The smallest and largest values each kind allows parse, so the action is reached: it is
    // replaced here, as the test only parses.
    const program = createProgram();
    const run = program.commands.find((c) => c.name() === 'run')!;
    let seen: Record<string, unknown> | undefined;
    run.action((o: Record<string, unknown>) => {
      seen = o;
    });
    await program.parseAsync(['node', 'rafcast', ...['run', '--data', 'd', '--as-of', '2099', '--shards', '1', '--seed', '4294967295', '--base-rate', '0.01']]);
    expect(seen).toMatchObject({ asOf: 2099, shards: 1, seed: 4294967295, baseRate: 0.01 });
  });
});

describe('hostile places: E_IO naming what, where and why, exit code 2', () => {
  // Tests run as root in CI, where permission bits stop nothing: a folder under a regular file
  // cannot be made by anyone (ENOTDIR).
  const dir = tempDir('cli-places');
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a folder\n');

  it('rafcast generate --out under a file: the --out folder named, exit 2, no stack trace', () => {
    const out = join(file, 'plan');
    const p = spawnSync(process.execPath, [CLI, 'generate', '--members', '5', '--years', '2024-2024', '--out', out], { encoding: 'utf8' });
    expect(p.stderr).toContain(`error E_IO: cannot create the --out folder ${out}: a part of the path is not a folder\n`);
    expect(p.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(p.status).toBe(2);
  });

  it('rafcast report --evaluation under a file: the escaped file-system error mapped at the top, exit 2', () => {
    // report.ts opens <evaluation>/evaluation.json itself: the error reaches runAction unmapped.
    const evaluation = join(file, 'evaluation');
    const p = spawnSync(process.execPath, [CLI, 'report', '--evaluation', evaluation, '--out', join(dir, 'report.html')], { encoding: 'utf8' });
    expect(p.stderr).toContain(`error E_IO: cannot open ${join(evaluation, 'evaluation.json')}: a part of the path is not a folder\n`);
    expect(p.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(p.status).toBe(2);
  });

  it('status, worker and run --redis with no Redis there: E_IO naming the address and why, exit 2, no stack trace', async () => {
    // A port nothing listens on (BullMQ alone would retry forever, printing raw errors).
    const { freePort } = await import('../test/test-tools.ts');
    const url = `redis://127.0.0.1:${await freePort()}`;
    for (const args of [['status', join(dir, 'nothing'), '--redis', url], ['worker', '--redis', url], [...RUN, '--redis', url, '--out', join(dir, 'queued')]]) {
      const p = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
      expect(p.stderr, args[0]).toContain(`error E_IO: cannot reach Redis at ${url}: connection refused (start redis-server there, or give --redis the address of one)\n`);
      expect(p.stderr).not.toMatch(/unexpected error|\n\s+at /);
      expect(p.status).toBe(2);
    }
  });

  it('rafcast run --shards 0: the usage error and exit code 2, before any work', () => {
    const p = spawnSync(process.execPath, [CLI, ...RUN, '--shards', '0', '--out', join(dir, 'run')], { encoding: 'utf8' });
    expect(p.stderr).toContain('--shards must be a whole number at least 1, found "0"');
    expect(p.status).toBe(2);
  });

  it('maps a file-system error that escapes a command by what it was doing (its syscall)', () => {
    const fsError = (code: string, syscall: string, path: string, dest?: string): NodeJS.ErrnoException =>
      Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path, ...(dest !== undefined ? { dest } : {}) });
    const cases: [NodeJS.ErrnoException, string][] = [
      [fsError('EROFS', 'open', '/mnt/ro/scores.csv'), 'cannot open /mnt/ro/scores.csv: read-only file system'],
      [fsError('EACCES', 'mkdir', '/data/out'), 'cannot create the folder /data/out: permission denied'],
      [fsError('ENOSPC', 'write', '/data/out/x.parquet'), 'cannot write /data/out/x.parquet: no space left on the device'],
      // A rename fails on its destination: the destination is named, not the temporary file.
      [fsError('EACCES', 'rename', '/data/.x.tmp', '/data/x.csv'), 'cannot move a finished file into place at /data/x.csv: permission denied'],
    ];
    for (const [e, message] of cases) {
      const r = reportableError(e);
      expect(r).toBeInstanceOf(IoError);
      expect((r as IoError).message).toBe(message);
    }
    // ENOSPC is the one a retry may cure (the disk may be freed): recoverable.
    expect((reportableError(cases[2]![0]) as IoError).unrecoverable).toBe(false);
    // DuckDB's IO errors carry no code: "IO Error: ..." becomes E_IO with DuckDB's words.
    const duck = reportableError(new Error('IO Error: Cannot open file "/ro/x.parquet": Read-only file system'));
    expect(duck).toMatchObject({ code: 'E_IO', message: 'Cannot open file "/ro/x.parquet": Read-only file system' });
    // Anything else is left as it is: still an unexpected error.
    const other = new TypeError('x is undefined');
    expect(reportableError(other)).toBe(other);
  });
});
