// The command line's options for a run kept in an S3 bucket (--store, --s3-endpoint): their
// parsers, help texts and what they set, shared by run, worker, status, evaluate, report and serve.
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { parseS3Url } from '../pipelines/s3-run-store.ts';

/** An --store value: s3://BUCKET/PREFIX (pipelines/s3-run-store.ts). */
export function parseStoreUrl(value: string): string {
  try {
    parseS3Url(value);
  } catch {
    throw new InvalidArgumentError(`--store takes s3://BUCKET/PREFIX, e.g. s3://rafcast-runs/2024, found "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

/** An --s3-endpoint value: an http(s) URL. */
export function parseS3Endpoint(value: string): string {
  if (!/^https?:\/\/[^/\s]+\/?$/.test(value)) throw new InvalidArgumentError(`--s3-endpoint takes an http(s) URL such as http://127.0.0.1:9000, found "${value}"`);
  return value;
}

/** What --s3-endpoint says in every command's --help. */
export const S3_ENDPOINT_HELP = 'an S3-compatible store (MinIO, Ceph, ...) at this URL, reached with path-style addressing; the same as AWS_ENDPOINT_URL_S3 (default: AWS S3 itself)';

/**
 * Points this process and the processes it starts (a worker's job processes) at the S3 endpoint
 * given (--s3-endpoint), through the variable the SDK reads. Credentials are never options: the
 * AWS variables or profile.
 */
export function useS3Endpoint(endpoint: string | undefined): void {
  if (endpoint !== undefined) process.env.AWS_ENDPOINT_URL_S3 = endpoint;
}

/** What --store says on the commands that read a finished run (evaluate, report, serve). */
export const STORE_READ_HELP =
  'read the run from its S3 store (s3://BUCKET/PREFIX, rafcast run --store): it is downloaded first to a local copy (under RAFCAST_SCRATCH, else the temporary folder; kept, so a second command fetches only what changed), and the folder options name folders inside the run';

/**
 * With --store, the run's local copy (pipelines/run-store.ts localRunCopy) and a function that
 * places a folder option inside it; without, undefined.
 */
export async function storeFolders(o: { store?: string; s3Endpoint?: string }): Promise<{ root: string; inRun: (p: string) => string } | undefined> {
  useS3Endpoint(o.s3Endpoint);
  if (o.store === undefined) return undefined;
  const { localRunCopy, requireStore } = await import('../pipelines/run-store.ts');
  await requireStore(o.store);
  const root = await localRunCopy(o.store);
  return { root, inRun: (p) => join(root, p) };
}
