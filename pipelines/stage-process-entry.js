// Child process bootstrap for a worker's jobs: registers tsx (a forked process gets no loader
// hooks), then runs the TypeScript side.
import { register } from 'tsx/esm/api';

register();
await import('./stage-process-child.ts');
