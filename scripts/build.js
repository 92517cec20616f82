#!/usr/bin/env node
// `npm run build`, also run by `npm ci` and `npm install` (the `prepare` script): the TypeScript
// compiled to dist/ (tsconfig.build.json: `.ts` import specifiers written as `.js`), the files read
// at run time copied beside it, and dist/build.json written last, so bin/rafcast.js runs dist/
// only when a build finished after the last change to its sources (build-inputs.js).
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COPIED, DIST, STAMP } from './build-inputs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // Installed without dev dependencies: the command line still runs, from the sources (tsx).
  process.stderr.write('rafcast build: TypeScript is not installed (dev dependencies left out?); bin/rafcast.js will run the sources through tsx\n');
  process.exit(0);
}

rmSync(join(root, DIST), { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) {
  // No stamp: bin/rafcast.js keeps running the sources.
  process.stderr.write('rafcast build: tsc failed; dist/ is not used until a build succeeds\n');
  process.exit(compiled.status ?? 1);
}
for (const path of COPIED) cpSync(join(root, path), join(root, DIST, path), { recursive: true });
writeFileSync(join(root, STAMP), `${JSON.stringify({ started })}\n`);
process.stdout.write(`rafcast build: dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
