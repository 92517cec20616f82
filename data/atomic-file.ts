// Output files are written to a temporary file beside the target and renamed into place, so a
// failed run leaves no half-written output; they are created owner-only (0600): they may hold
// member identifiers, which are health information.
import { constants } from 'node:fs';
import { access, open, rename, unlink, mkdir, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { asIoError } from './errors.ts';
import { forgetTemporaryPath, trackTemporaryPath } from './temporary-files.ts';

export const OUTPUT_FILE_MODE = 0o600;
export const OUTPUT_FOLDER_MODE = 0o700;

/**
 * Makes an output folder (owner-only when made here) and checks that files can be written in
 * it, before any work: a missing permission or a read-only disk is an E_IO error naming `what`.
 */
export async function prepareOutputFolder(dir: string, what: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: OUTPUT_FOLDER_MODE });
    await access(dir, constants.W_OK);
  } catch (e) {
    throw asIoError(e, `cannot write in ${what}`, dir);
  }
}

/** A new temporary path beside `path`, removed on exit (temporary-files.ts) unless renamed into place or removed first (settleTemporaryPath). */
export function temporaryPathFor(path: string): string {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  trackTemporaryPath(tmp);
  return tmp;
}

/** The temporary path was renamed into place or removed: nothing left to remove on exit. */
export const settleTemporaryPath = forgetTemporaryPath;

export class AtomicFileWriter {
  private pending: string[] = [];
  private pendingChars = 0;
  private done = false;

  private constructor(
    readonly path: string,
    readonly tmpPath: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string): Promise<AtomicFileWriter> {
    const tmp = temporaryPathFor(path);
    try {
      await mkdir(dirname(path), { recursive: true, mode: OUTPUT_FOLDER_MODE });
      const handle = await open(tmp, 'wx', OUTPUT_FILE_MODE);
      return new AtomicFileWriter(path, tmp, handle);
    } catch (e) {
      throw asIoError(e, 'cannot write', path);
    }
  }

  /** Buffers text, flushed to disk in blocks of about 1 MB; bytes are written as they come. */
  async write(data: string | Uint8Array): Promise<void> {
    if (typeof data !== 'string') {
      await this.flush();
      // A write may take part of the bytes: write until all are down.
      for (let at = 0; at < data.length; ) at += (await this.handle.write(data, at, data.length - at)).bytesWritten;
      return;
    }
    this.pending.push(data);
    this.pendingChars += data.length;
    if (this.pendingChars >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    await this.handle.write(text);
  }

  /** Flushes, closes and renames the file into place. */
  async commit(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.flush();
      await this.handle.sync();
      await this.handle.close();
      await rename(this.tmpPath, this.path);
    } catch (e) {
      await this.handle.close().catch(() => undefined);
      await unlink(this.tmpPath).catch(() => undefined);
      throw asIoError(e, 'cannot write', this.path);
    } finally {
      settleTemporaryPath(this.tmpPath);
    }
  }

  /** Closes and removes the temporary file; the target is left as it was. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => undefined);
    await unlink(this.tmpPath).catch(() => undefined);
    settleTemporaryPath(this.tmpPath);
  }
}

/** Writes a whole file at once: to a temporary file beside it, owner-only, then renamed into place. */
export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = temporaryPathFor(path);
  try {
    await writeFile(tmp, data, { mode: OUTPUT_FILE_MODE });
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw asIoError(e, 'cannot write', path);
  } finally {
    settleTemporaryPath(tmp);
  }
}
