#!/usr/bin/env node
// The `rafcast` command. Runs the compiled command line in dist/ (`npm run build`; `npm ci` builds
// it) when that build is newer than every file it was built from. When dist/ is missing or older
// (sources edited, pulled or checked out since), it runs the TypeScript sources through tsx
// instead, slower to start, and says so in one line on stderr: edited code never runs as the old
// build. The check stats the source files: a few milliseconds.
import { fileURLToPath } from 'node:url';
import { buildState } from '../scripts/build-inputs.js';

const build = buildState(fileURLToPath(new URL('..', import.meta.url)));
let main;
if (build.state === 'current') {
  ({ main } = await import('../dist/scripts/rafcast.js'));
} else {
  process.stderr.write(
    build.state === 'missing'
      ? 'rafcast: no build in dist/ (npm run build makes one); running the sources through tsx\n'
      : `rafcast: dist/ is older than ${build.changed} (npm run build updates it); running the sources through tsx\n`,
  );
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../scripts/rafcast.ts'));
}
await main(process.argv);
