// The output folder guard (issue 16, item 7): a new, empty or rafcast-written folder is taken and
// marked; a folder holding other files is refused, naming them and what would be overwritten,
// unless forced; a file is refused.
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.ts';
import { OUTPUT_MARKER, claimOutputFolder } from './output-folder.ts';

const LOAD = { option: '--out', command: 'rafcast load', writes: ['members.parquet', 'enrollment.parquet', 'claims.parquet'] };

describe('claimOutputFolder', () => {
  it('creates a missing folder owner-only and marks it, and takes it again', async () => {
    const dir = join(tempDir('out-guard'), 'a', 'b');
    await claimOutputFolder(dir, LOAD);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(join(dir, OUTPUT_MARKER), 'utf8'))).toEqual({ writtenBy: 'rafcast load' });
    expect(statSync(join(dir, OUTPUT_MARKER)).mode & 0o777).toBe(0o600);
    // Its own outputs from a first load are there now: a second load into it is not refused.
    writeFileSync(join(dir, 'members.parquet'), 'x');
    await claimOutputFolder(dir, LOAD);
  });

  it('takes an empty folder', async () => {
    const dir = tempDir('out-guard');
    await claimOutputFolder(dir, LOAD);
    expect(existsSync(join(dir, OUTPUT_MARKER))).toBe(true);
  });

  it('refuses a folder of other files, naming them and what would be overwritten, and writes nothing there', async () => {
    const dir = tempDir('out-guard');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    writeFileSync(join(dir, 'members.parquet'), 'mine');
    const taken = claimOutputFolder(dir, LOAD);
    await expect(taken).rejects.toMatchObject({ code: 'E_CONFIG' });
    await expect(taken).rejects.toThrow(
      `--out ${dir} holds files rafcast did not write (members.parquet, notes.txt); rafcast load would overwrite members.parquet: give a new or empty folder, or --force to write there anyway`,
    );
    expect(existsSync(join(dir, OUTPUT_MARKER))).toBe(false);
    // Without a same-named file: nothing overwritten, still refused (the outputs would mix with them).
    rmSync(join(dir, 'members.parquet'));
    await expect(claimOutputFolder(dir, LOAD)).rejects.toThrow(/\(notes\.txt\); rafcast load would write its outputs among them/);
    // Seven files: five named, and how many more.
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f']) writeFileSync(join(dir, n), '');
    await expect(claimOutputFolder(dir, LOAD)).rejects.toThrow(/\(a, b, c, d, e and 2 more\)/);
  });

  it('writes into a folder of other files when forced, and marks it', async () => {
    const dir = tempDir('out-guard');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await claimOutputFolder(dir, { ...LOAD, force: true });
    expect(existsSync(join(dir, OUTPUT_MARKER))).toBe(true);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('takes a folder a name shows rafcast wrote (a run folder from before the marker)', async () => {
    const dir = tempDir('out-guard');
    writeFileSync(join(dir, 'flow.json'), '{}');
    await claimOutputFolder(dir, { option: '--out', command: 'rafcast run', writes: ['flow.json'], ownedIf: ['flow.json'] });
    expect(existsSync(join(dir, OUTPUT_MARKER))).toBe(true);
  });

  it('resolves the folder before looking: runs/.. is the folder above runs/, even when runs/ does not exist', async () => {
    const root = tempDir('out-guard');
    writeFileSync(join(root, 'package.json'), '{}');
    const cwd = process.cwd();
    process.chdir(root);
    try {
      await expect(claimOutputFolder('runs/..', LOAD)).rejects.toThrow(`--out runs/.. (${root}) holds files rafcast did not write (package.json)`);
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(join(root, OUTPUT_MARKER))).toBe(false);
  });

  it('refuses a file', async () => {
    const file = join(tempDir('out-guard'), 'out');
    writeFileSync(file, '');
    await expect(claimOutputFolder(file, LOAD)).rejects.toThrow(`--out ${file} is a file, not a folder`);
  });
});
