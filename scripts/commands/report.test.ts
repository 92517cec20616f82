// `rafcast report`'s options for the three-column illustration: --suspects and --known-history go
// together (the columns need the suspects and the history they were found in); one alone stops
// with exit 2 before any file is read; so do --benchmark and --align-backtest without --alignment.
// The sections themselves: evaluation/report.test.ts, evaluation/report-aco.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/temp-dir.ts';

const CLI = fileURLToPath(new URL('../../bin/rafcast.js', import.meta.url));

describe('rafcast report --suspects, --known-history', () => {
  it('refuses one without the other, with exit 2 and no report written', () => {
    const dir = tempDir('report-cli');
    const out = join(dir, 'report.html');
    const p = spawnSync(process.execPath, [CLI, 'report', '--evaluation', dir, '--suspects', dir, '--out', out], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr).toContain('--suspects and --known-history go together');
    expect(existsSync(out)).toBe(false);
  });
});

describe('rafcast report --benchmark, --align-backtest', () => {
  it('refuses them without --alignment (the ACO REACH section starts from it), with exit 2 and no report written', () => {
    const dir = tempDir('report-cli');
    const out = join(dir, 'report.html');
    for (const option of ['--benchmark', '--align-backtest']) {
      const p = spawnSync(process.execPath, [CLI, 'report', '--evaluation', dir, option, dir, '--out', out], { encoding: 'utf8' });
      expect(p.status, option).toBe(2);
      expect(p.stderr).toContain('--benchmark and --align-backtest go with --alignment');
    }
    expect(existsSync(out)).toBe(false);
  });
});
