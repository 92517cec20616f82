// The one interface through which a run's stages exchange files (issue 7): keys are paths
// relative to the run ('history/raf_history.parquet', 'shards/shard-002', 'models/mlp'). A stage
// asks for a local path to read a key (a remote store would download it to a local cache first)
// and for a local path to write one, then commits it (a remote store would upload it; here the
// writers already rename their files into place). Today the store is a local directory, which a
// cluster shares over a network file system; an object store can be added behind this interface
// without touching the processors, which only ever see local paths.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { writeFileAtomically } from '../data/atomic-file.ts';
import { ConfigError } from '../data/errors.ts';

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
}

/** The store of a run at `location`: a directory (the only kind so far). */
export function openRunStore(location: string): RunStore {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new ConfigError(`run stores other than a directory are not supported yet: ${location}`);
  return new DirectoryRunStore(location);
}
