// Every command that writes an output folder guards it (issue 16, item 7, data/output-folder.ts):
// each has --force, and a folder of someone else's files is refused with exit code 2, naming what
// would be overwritten, before any work and without writing there.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/temp-dir.ts';
import { createProgram } from '../rafcast.ts';

const CLI = fileURLToPath(new URL('../../bin/rafcast.js', import.meta.url));

const commandsOf = (parent: Command, prefix = ''): [string, Command][] =>
  parent.commands.flatMap((c) => [[`${prefix}${c.name()}`, c] as [string, Command], ...commandsOf(c, `${prefix}${c.name()} `)]);

describe('output folders on the command line', () => {
  it('gives --force to every command whose --out is a folder', () => {
    const folderWriters = commandsOf(createProgram()).filter(([, c]) => c.options.some((o) => o.flags === '--out <dir>'));
    // The commands whose --out is a folder (the others write one file, atomically).
    expect(folderWriters.map(([name]) => name)).toEqual(['generate', 'load', 'history', 'import desynpuf', 'train', 'candidates', 'suspects', 'providers', 'audit-risk', 'align', 'align-backtest', 'benchmark', 'evaluate', 'run']);
    expect(folderWriters.filter(([, c]) => !c.options.some((o) => o.long === '--force')).map(([name]) => name)).toEqual([]);
  });

  it('refuses rafcast history into a folder of other files: exit 2, the files, nothing written there', () => {
    const out = tempDir('cli-out');
    writeFileSync(join(out, 'raf_history.parquet'), 'mine');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    // The data folder does not exist: the output folder is checked first.
    const p = spawnSync(process.execPath, [CLI, 'history', '--data', join(out, 'no-data'), '--years', '2021-2022', '--out', out], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr).toContain(`error E_CONFIG: --out ${out} holds files rafcast did not write (notes.txt, raf_history.parquet); rafcast history would overwrite raf_history.parquet`);
    expect(readdirSync(out).sort()).toEqual(['notes.txt', 'raf_history.parquet']);
    expect(existsSync(join(out, '.rafcast-output'))).toBe(false);
  });
});
