// The command line's surface: usage errors exit with code 2 and say what is missing, required
// options say so in the help, defaults read as they are typed, and every command's help ends
// with an example. Speed is measured by `npm run bench` (step cli-start), not here.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from './rafcast.ts';

// bin/rafcast.js runs dist/ when it is current and the sources otherwise: either way, this tree's code.
const CLI = fileURLToPath(new URL('../bin/rafcast.js', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

function rafcast(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

/** Every command and subcommand, with its full name (`models list`). */
function commandsOf(parent: Command, prefix = ''): [string, Command][] {
  return parent.commands.flatMap((c) => [[`${prefix}${c.name()}`, c] as [string, Command], ...commandsOf(c, `${prefix}${c.name()} `)]);
}

/** What `rafcast <command> --help` prints, text added after the options included. */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s), getOutHelpWidth: () => 80 });
  command.outputHelp();
  return text;
}

describe('rafcast command line', () => {
  it('exits with code 2 naming the required option that is missing', () => {
    const p = rafcast('score', '--in', 'members.jsonl', '--payment-year', '2026');
    expect(p.status).toBe(2);
    expect(p.stderr).toContain("error: required option '--out <file>' not specified");
    expect(p.stdout).toBe('');
  });

  it('prints the version of package.json with --version, exit code 0', () => {
    const p = rafcast('--version');
    expect(p.status).toBe(0);
    expect(p.stdout).toBe(`${PACKAGE.version}\n`);
  });

  it('marks required options "(required)" and no others', () => {
    const help = helpOf(createProgram().commands.find((c) => c.name() === 'score')!);
    expect(help).toMatch(/--in <file>\s+members, one per row: \.jsonl, \.csv or \.parquet\s+\(required\)/);
    expect(help).toMatch(/--payment-year <year>\s+payment year \([^)]*\)\s+\(required\)/);
    // --model is optional: its description ends without the mark.
    expect(help).toMatch(/--model <model>\s+score one model alone \(blend forced to 100%\):\s+V24 or V28\n/);
    expect(help.match(/\(required\)/g)).toHaveLength(3);
  });

  it('shows the default models as typed on the command line', () => {
    const help = helpOf(createProgram().commands.find((c) => c.name() === 'run')!);
    expect(help).toMatch(/\(default:\s+gbdt,mlp,logistic\)/);
    expect(help).not.toContain('["gbdt","mlp","logistic"]');
  });

  it("says generate --members is the first year's enrollment, not the files' member count", () => {
    // Members leave and join each year (data/synthetic/README.md): --members 20000 over 2021-2025
    // wrote 30,893 members, which a help reading "members" alone did not prepare for.
    const help = helpOf(createProgram().commands.find((c) => c.name() === 'generate')!).replace(/\s+/g, ' ');
    expect(help).toContain('--members <n> members enrolled in the first year; each later year some leave and new enrollees join');
    expect(help).toContain("--members is the first year's enrollment, not the files' member count");
  });

  it('lets features --list run without the options a feature table needs', () => {
    const features = createProgram().commands.find((c) => c.name() === 'features')!;
    expect(helpOf(features).match(/\(required\)/g)).toHaveLength(3);
    features.parseOptions(['--list']);
    expect(features.options.filter((o) => o.mandatory)).toEqual([]);
  });

  it('gives an example in the help of every command', () => {
    const program = createProgram();
    const all = commandsOf(program);
    expect(all.map(([name]) => name)).toEqual([
      'score', 'generate', 'load', 'history', 'import', 'import desynpuf', 'features', 'train', 'predict',
      'models', 'models list', 'models compare', 'candidates', 'suspects', 'providers', 'audit-risk', 'align', 'align-backtest', 'benchmark', 'explain', 'evaluate', 'report', 'run', 'worker', 'status', 'serve', 'users', 'users add',
    ]);
    const withoutExample = [['rafcast', program] as [string, Command], ...all].filter(([, c]) => !/\nExamples?:\n {2}rafcast /.test(helpOf(c))).map(([name]) => name);
    expect(withoutExample).toEqual([]);
  });
});

describe('what rafcast loads before a command runs', () => {
  // Loaded by a command's action only (await import(...)): each costs 0.1-2 s and tens of MB at
  // start, and --help or a usage error needs none of them.
  const HEAVY = ['@duckdb/', '@tensorflow/', 'bullmq', 'ioredis', 'vega', 'vega-lite', 'apache-arrow', 'cli-progress', 'fastify', '@fastify/'];

  /** The modules a file loads when it is loaded: static imports and re-exports, not `import type` or `import()`. */
  function staticImports(file: string): string[] {
    const text = readFileSync(file, 'utf8');
    const found: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm)) found.push(m[1]!);
    return found;
  }

  it('loads no DuckDB, TensorFlow.js, BullMQ, Vega, Arrow or progress bars from scripts/rafcast.ts', () => {
    const start = fileURLToPath(new URL('./rafcast.ts', import.meta.url));
    const seen = new Set<string>();
    const heavy: string[] = [];
    const visit = (file: string, chain: string[]): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of staticImports(file)) {
        if (spec.startsWith('.')) visit(fileURLToPath(new URL(spec, `file://${file}`)), [...chain, spec]);
        else if (HEAVY.some((h) => spec === h || spec.startsWith(h.endsWith('/') ? h : `${h}/`))) heavy.push([...chain, spec].join(' -> '));
      }
    };
    visit(start, ['scripts/rafcast.ts']);
    expect(seen.size).toBeGreaterThan(18); // the program, cli-support and every command's file
    expect(heavy).toEqual([]);
  });
});
