// The one interface through which a run's stages exchange files (issue 7): keys are paths
// relative to the run ('history/raf_history.parquet', 'shards/shard-002', 'models/mlp'). A stage
// asks for a local path to read a key (a remote store would download it to a local cache first)
// and for a local path to write one, then commits it (a remote store would upload it; here the
// writers already rename their files into place). The store is a local directory (the default),
// which a cluster may share over a network file system, or an S3 bucket (s3-run-store.ts), which
// workers on machines sharing nothing else use; the processors only ever see local paths.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { writeFileAtomically } from '../data/atomic-file.ts';
import { ConfigError } from '../data/errors.ts';
import { S3RunStore, isStoreUrl } from './s3-run-store.ts';

export interface RunStore {
  /** Where the run is kept, for messages and for the jobs' references. */
  readonly location: string;
  /** True when the key (a file or a folder) has been committed. */
  has(key: string): Promise<boolean>;
  /** A local path to read the key from. */
  read(key: string): Promise<string>;
  /** A local path to write the key to (its parent folder exists); then `commit(key)`. */
  writable(key: string): Promise<string>;
  /** Stores what was written to `writable(key)`. */
  commit(key: string): Promise<void>;
  readText(key: string): Promise<string>;
  /** Writes a small text file (flow.json), atomically and owner-only. */
  writeText(key: string, text: string): Promise<void>;
  /** Removes the key (a file or a folder) if it is there. */
  remove(key: string): Promise<void>;
  /** Lets go of what reading and writing kept here (a remote store's scratch folder); the store can still be used after. */
  release(): Promise<void>;
}

/** A run kept in a local (or network-mounted) directory: keys are files under it. */
export class DirectoryRunStore implements RunStore {
  constructor(readonly location: string) {}

  private path(key: string): string {
    const k = normalize(key);
    if (isAbsolute(k) || k.startsWith('..')) throw new Error(`a run store key must stay inside the run: ${key}`);
    return join(this.location, k);
  }

  async has(key: string): Promise<boolean> {
    return existsSync(this.path(key));
  }

  async read(key: string): Promise<string> {
    const p = this.path(key);
    if (!existsSync(p)) throw new ConfigError(`${p} is missing: the stage that writes it has not finished`);
    return p;
  }

  async writable(key: string): Promise<string> {
    const p = this.path(key);
    await mkdir(dirname(p), { recursive: true, mode: 0o700 });
    return p;
  }

  async commit(key: string): Promise<void> {
    const p = this.path(key);
    if (!existsSync(p)) throw new Error(`nothing was written to ${p}`);
  }

  async readText(key: string): Promise<string> {
    return readFile(await this.read(key), 'utf8');
  }

  async writeText(key: string, text: string): Promise<void> {
    await writeFileAtomically(await this.writable(key), text);
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { recursive: true, force: true });
  }

  async release(): Promise<void> {}
}

/** The store of a run at `location`: an s3:// URL (an S3 bucket), or a directory. */
export function openRunStore(location: string): RunStore {
  if (isStoreUrl(location)) {
    if (!location.startsWith('s3://')) throw new ConfigError(`a run store must be a folder or s3://BUCKET/PREFIX, found ${location}`);
    return new S3RunStore(location);
  }
  return new DirectoryRunStore(location);
}

/** Where a key of the run at `location` is, for messages: a path, or the object's URL. */
export const keyLocation = (location: string, key: string): string => (isStoreUrl(location) ? `${location.replace(/\/+$/, '')}/${key}` : join(location, key));

/**
 * A run as a local folder: a folder as given, or an S3 run downloaded (S3RunStore.copyTo) into
 * `into`, by default a folder per store under RAFCAST_SCRATCH (else the system's temporary folder),
 * kept between commands so that a second one fetches only what changed.
 */
export async function localRunCopy(location: string, into?: string): Promise<string> {
  const store = openRunStore(location);
  if (!(store instanceof S3RunStore)) return location;
  const dir = into ?? join(process.env.RAFCAST_SCRATCH ?? tmpdir(), `rafcast-run-${store.bucket}-${createHash('sha256').update(store.prefix).digest('hex').slice(0, 12)}`);
  try {
    await store.copyTo(dir);
  } finally {
    await store.release();
  }
  return dir;
}

/**
 * Checks that a run store can be reached before a command relies on it: an S3 store's bucket and
 * credentials (E_IO or E_CONFIG naming the store, never the credentials); a folder needs nothing.
 */
export async function requireStore(location: string): Promise<void> {
  const store = openRunStore(location);
  try {
    if (store instanceof S3RunStore) await store.check();
  } finally {
    await store.release();
  }
}
