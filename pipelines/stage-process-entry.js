// Child process bootstrap for a worker's jobs. In dist/ (npm run build) the compiled child sits
// beside this file and runs as it is; in the sources, tsx is registered first (a forked process
// gets no loader hooks) and the TypeScript child runs.
import { existsSync } from 'node:fs';

const compiled = new URL('./stage-process-child.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./stage-process-child.ts');
}
