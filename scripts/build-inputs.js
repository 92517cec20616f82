// What dist/ is built from (scripts/build.js) and whether it is current (bin/rafcast.js). Plain
// JavaScript: it runs before anything is compiled, and on every start of the command line.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

/** The folders compiled to dist/ (tsconfig.build.json's include); their tests are left out. */
export const SOURCE_FOLDERS = ['data', 'scoring', 'features', 'models', 'evaluation', 'pipelines', 'scripts'];

/**
 * Files read at run time beside the code (`new URL(..., import.meta.url)`), copied into dist/ as
 * they are: the bootstraps of child processes and worker threads, and the reference tables.
 */
export const COPIED = [
  'pipelines/stage-process-entry.js',
  'pipelines/score-worker-entry.js',
  'evaluation/serve/xlsx-worker-entry.js',
  'data/reference/cms-hcc',
  'data/reference/gem',
  'data/reference/eligibility',
  'data/reference/submission-deadlines',
  'data/reference/suspects',
  'data/reference/providers',
  'data/reference/audit-risk',
  'data/reference/alignment',
  'evaluation/serve/public',
];

/** The compiler's settings: a change rebuilds as a source's does. */
const SETTINGS = ['tsconfig.json', 'tsconfig.build.json'];

export const DIST = 'dist';

/** Written last by a build that succeeded: when it started, in ms since 1970. */
export const STAMP = join(DIST, 'build.json');

const REFERENCE = join('data', 'reference') + sep;
const PUBLIC = join('evaluation', 'serve', 'public') + sep;

/** Whether a file under a source folder goes into dist/: code but tests, and the reference data. */
function isInput(path) {
  if (path.endsWith('.test.ts')) return false;
  return path.endsWith('.ts') || path.endsWith('.js') || path.startsWith(REFERENCE) || path.startsWith(PUBLIC);
}

/** The first input under `dir` (relative to `root`) changed after `since`, or undefined. */
function changedAfter(root, dir, since) {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = changedAfter(root, path, since);
      if (found !== undefined) return found;
    } else if (isInput(path) && statSync(join(root, path)).mtimeMs > since) return path;
  }
  return undefined;
}

/**
 * 'current' when dist/ was built, successfully, after the last change to every file it is built
 * from; else 'missing' (never built, or the last build failed) or 'stale', with the first file
 * found changed since. Costs a stat per source file (about 250): a few milliseconds.
 */
export function buildState(root) {
  let started;
  try {
    started = JSON.parse(readFileSync(join(root, STAMP), 'utf8')).started;
  } catch {
    return { state: 'missing' };
  }
  for (const f of SETTINGS) if (statSync(join(root, f)).mtimeMs > started) return { state: 'stale', changed: f };
  for (const dir of SOURCE_FOLDERS) {
    const changed = changedAfter(root, dir, started);
    if (changed !== undefined) return { state: 'stale', changed };
  }
  return { state: 'current' };
}
