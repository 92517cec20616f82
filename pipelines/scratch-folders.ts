// A worker's private scratch folders (the S3 run store's downloads and uploads, pipelines/
// s3-run-store.ts): named by their owner process, so that the folders a killed worker left behind
// (`kill -9` never runs its cleanup) are found and removed by the next process, and never a live
// process's.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * What a scratch folder's name says of its owner: `rafcast-s3-<where>-<pid>-<start>-XXXXXX`, where
 * `where` tells the machine and the process ids' namespace apart (8 hex digits of the SHA-256 of the
 * host name and, on Linux, the pid namespace): a process id means something only where it was taken,
 * so the folders of another container or machine sharing the root are never judged by it.
 */
const SCRATCH_NAME = /^rafcast-s3-([0-9a-f]{8})-(\d+)-(\d+)-[A-Za-z0-9]{6}$/;
const PROCESS_SPACE = (() => {
  let ns = '';
  try {
    ns = readlinkSync('/proc/self/ns/pid');
  } catch {
    // Not Linux: the host name alone.
  }
  return createHash('sha256').update(`${hostname()} ${ns}`).digest('hex').slice(0, 8);
})();

/**
 * When a process started, in clock ticks since boot (/proc/PID/stat's 22nd field, Linux), as a
 * string; undefined when no such process runs; '0' where the system does not say (the process id
 * alone then tells whether it lives).
 */
function startOf(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (e) {
    return (e as { code?: string }).code === 'ENOENT' && existsSync('/proc/self/stat') ? undefined : '0';
  }
  // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '0';
}

/** True when the process that made a scratch folder (its id and start time) still runs. */
function ownerLives(pid: number, start: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: a process of another user has the id, which is alive.
    if ((e as { code?: string }).code !== 'EPERM') return false;
  }
  const now = startOf(pid);
  if (now === undefined) return false;
  // The id taken by a newer process (the owner died and the id was reused): the owner is gone.
  return start === '0' || now === '0' || now === start;
}

/**
 * Removes the scratch folders under `base` that this user's dead processes left (a worker killed
 * with `kill -9` never ran `release`): those whose owner's process id no longer runs, or runs a
 * process started at another time. A live process's folder is never touched, whoever it belongs to;
 * folders of other users, machines or containers are left alone. Returns the names removed.
 */
export async function removeDeadScratch(base: string): Promise<string[]> {
  const removed: string[] = [];
  const uid = process.getuid?.();
  for (const e of await readdir(base, { withFileTypes: true }).catch(() => [])) {
    const m = SCRATCH_NAME.exec(e.name);
    if (m === null || m[1] !== PROCESS_SPACE || !e.isDirectory()) continue;
    const dir = join(base, e.name);
    // Another process sweeping the same root may remove a folder first; a folder that cannot be
    // removed stays: the sweep never fails the job that runs it.
    const owner = await stat(dir).catch(() => undefined);
    if (owner === undefined || (uid !== undefined && owner.uid !== uid)) continue;
    if (ownerLives(Number(m[2]), m[3]!)) continue;
    if (await rm(dir, { recursive: true, force: true }).then(() => true, () => false)) removed.push(e.name);
  }
  return removed;
}
/** Each scratch root is swept once per process, on its first scratch folder. */
const swept = new Map<string, Promise<string[]>>();

/** A new scratch folder of this process under `base`; the first one a process makes under a root first removes the dead processes' folders there. */
export async function makeScratchFolder(base: string): Promise<string> {
  await mkdir(base, { recursive: true, mode: 0o700 });
  if (!swept.has(base)) swept.set(base, removeDeadScratch(base));
  await swept.get(base);
  return mkdtemp(join(base, `rafcast-s3-${PROCESS_SPACE}-${process.pid}-${startOf(process.pid) ?? '0'}-`));
}
