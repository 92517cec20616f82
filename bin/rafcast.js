#!/usr/bin/env node
// Runs the TypeScript command line through tsx (a dependency), so `npx rafcast` works from a clone.
import { register } from 'tsx/esm/api';

register();
await import('../scripts/rafcast.ts');
