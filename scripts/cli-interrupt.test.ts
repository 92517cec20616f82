// Ctrl-C on a long command (issue 16): rafcast run, stopped while a stage holds a DuckDB work
// folder, says what was stopped and how to resume, exits with 130 (128 + SIGINT's 2, as a shell
// reports it), and leaves no temporary file: neither its work folders (under $TMPDIR or the run
// folder) nor an output's .tmp file. What it wrote is owner-only.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePopulationFiles } from '../data/synthetic/generate.ts';
import { tempDir } from '../test/temp-dir.ts';

const CLI = fileURLToPath(new URL('../bin/rafcast.js', import.meta.url));

/** Every path under `dir`, depth first. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? [p, ...walk(p)] : [p];
  });
}

/** rafcast's temporary paths: work folders (rafcast-*-XXXXXX, .rafcast-work-XXXXXX) and outputs' .tmp files. tsx's own cache (tsx-0/) is not ours. */
const ours = (paths: string[]): string[] => paths.filter((p) => !p.includes('/tsx-') && (/\/\.?rafcast-[a-z]+-[A-Za-z0-9]{6}(\/|$)/.test(p) || p.endsWith('.tmp')));

describe('Ctrl-C on rafcast run', () => {
  let data: string;
  beforeAll(async () => {
    data = tempDir('interrupt-plan');
    await generatePopulationFiles({ members: 150, firstYear: 2022, lastYear: 2025, seed: 5, out: data });
  });

  it('says what was stopped and how to resume, exits 130 and leaves no temporary file', async () => {
    const tmp = tempDir('interrupt-tmp');
    const out = join(tempDir('interrupt-run'), 'run');
    const child = spawn(process.execPath, [CLI, 'run', '--data', data, '--as-of', '2024', '--models', 'logistic', '--out', out], {
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

    // Wait until a stage holds a work folder with its DuckDB database in it (the run's partition
    // or history), then press Ctrl-C.
    let held: { path: string; mode: string; file: boolean }[] = [];
    for (let i = 0; i < 600 && !held.some((h) => h.file) && child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const paths = ours([...walk(tmp), ...(statSync(out, { throwIfNoEntry: false }) ? walk(out) : [])]).filter((p) => /rafcast-work-/.test(p));
      held = paths.flatMap((path) => {
        const st = statSync(path, { throwIfNoEntry: false });
        return st === undefined ? [] : [{ path, mode: (st.mode & 0o777).toString(8), file: st.isFile() }];
      });
    }
    expect(held.some((h) => h.file)).toBe(true);
    // The work folder and DuckDB's files in it are the owner's alone (DuckDB creates its files
    // with the process's umask: 077, set by the command line).
    expect(held.map((h) => `${h.file ? 'file' : 'folder'} ${h.mode}`).filter((m) => m !== 'file 600' && m !== 'folder 700')).toEqual([]);
    child.kill("SIGINT");
    const { code } = await exited;

    expect(code).toBe(130);
    expect(stderr).toContain(`stopped by Ctrl-C (SIGINT): the stages done are kept in ${out}`);
    expect(stderr).toContain(`Resume with: rafcast run --resume ${out}\n`);
    expect(stderr).not.toMatch(/unexpected error|\n\s+at /);
    // Nothing temporary is left, in the temporary folder or the run folder.
    expect(ours([...walk(tmp), ...walk(out)])).toEqual([]);
    // What the run did write is owner-only: files 0600, folders 0700 (umask 077 in the command line).
    const modes = new Set(walk(out).map((p) => (statSync(p).mode & 0o777).toString(8)));
    expect([...modes].sort()).toEqual(['600', '700']);
  });
});
