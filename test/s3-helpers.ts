// An S3-compatible store for the tests (test/s3-server.mjs, s3rver), and the environment that
// points rafcast at it: the AWS variables a worker on another machine would have, and the endpoint.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from './temp-dir.ts';
import { freePort } from './test-tools.ts';

const SERVER = fileURLToPath(new URL('./s3-server.mjs', import.meta.url));

/** s3rver's own credentials; any other pair is refused (InvalidAccessKeyId). */
export const S3_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

/** The S3 server on `port`, its objects in `dir` (kept across a restart), with these buckets. */
export async function startS3(port: number, dir: string, buckets: string[]): Promise<ChildProcess> {
  const p = spawn(process.execPath, [SERVER, String(port), dir, ...buckets], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    p.on('error', reject);
    p.on('exit', (code) => reject(new Error(`the S3 server ended (exit code ${code})`)));
    p.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
  });
  return p;
}

/**
 * A store for the file's tests, with the bucket `rafcast-test` (started before them, killed after),
 * and this process's environment pointed at it: the in-process calls and the workers it spawns
 * (`env`) reach it as a machine with the AWS variables set would.
 */
export function useS3(): { readonly port: number; readonly dir: string; readonly env: NodeJS.ProcessEnv; server: ChildProcess | undefined; restart(): Promise<void> } {
  const state = {
    port: 0,
    dir: '',
    env: {} as NodeJS.ProcessEnv,
    server: undefined as ChildProcess | undefined,
    async restart(): Promise<void> {
      state.server?.kill('SIGKILL');
      state.server = await startS3(state.port, state.dir, ['rafcast-test']);
    },
  };
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    state.port = await freePort();
    state.dir = tempDir('s3');
    state.server = await startS3(state.port, state.dir, ['rafcast-test']);
    state.env = { ...S3_CREDENTIALS, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${state.port}`, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    for (const [k, v] of Object.entries(state.env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(() => {
    state.server?.kill('SIGKILL');
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  return state;
}
