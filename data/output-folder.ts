// Where rafcast may write a command's outputs (issue 16): a folder that does not exist yet, an
// empty one, or one rafcast wrote before (its marker file, .rafcast-output). Any other folder holds
// files rafcast did not write (`--out runs/..` is the repository's root) and is refused, with what
// would be overwritten, unless the caller forces it (--force).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomically } from './atomic-file.ts';
import { ConfigError, asIoError } from './errors.ts';

/** The file that marks a folder as one rafcast writes its outputs to. */
export const OUTPUT_MARKER = '.rafcast-output';

export interface OutputFolderOptions {
  /** The option that named the folder, for the message (`--out`). */
  option: string;
  /** The command writing there (`rafcast load`), recorded in the marker. */
  command: string;
  /** The names the command writes at the folder's top level: those already there are named as what would be overwritten. */
  writes: readonly string[];
  /** Names that also show rafcast wrote the folder (a run folder's flow.json, from before the marker). */
  ownedIf?: readonly string[];
  /** Write there even though the folder holds files rafcast did not write (--force). */
  force?: boolean;
}

/** The help of --force on every command that writes an output folder. */
export const FORCE_HELP = 'write into an --out folder that holds files rafcast did not write (refused otherwise, naming what would be overwritten)';

/** At most `n` names, and how many more. */
const someOf = (names: string[], n = 5): string => (names.length <= n ? names.join(', ') : `${names.slice(0, n).join(', ')} and ${names.length - n} more`);

/**
 * Makes `dir` the command's output folder: creates it (0700) when missing, and marks it. Refuses a
 * file, and a folder that holds files rafcast did not write unless `force`, naming the files there
 * and those the command would overwrite.
 */
export async function claimOutputFolder(given: string, o: OutputFolderOptions): Promise<void> {
  // Resolved first: `runs/..` is the folder above runs/ even when runs/ does not exist yet.
  const dir = resolve(given);
  if (existsSync(dir)) {
    let entries: string[];
    try {
      if (!statSync(dir).isDirectory()) throw new ConfigError(`${o.option} ${given} is a file, not a folder: give a folder for the outputs`);
      entries = readdirSync(dir).sort();
    } catch (e) {
      throw asIoError(e, 'cannot read the output folder', dir);
    }
    const ours = entries.includes(OUTPUT_MARKER) || entries.some((e) => o.ownedIf?.includes(e));
    if (entries.length > 0 && !ours && !o.force) {
      const overwritten = entries.filter((e) => o.writes.includes(e));
      // A relative path is shown resolved too: `runs/..` is the repository's root.
      const shown = given === dir ? dir : `${given} (${dir})`;
      throw new ConfigError(
        `${o.option} ${shown} holds files rafcast did not write (${someOf(entries)}); ` +
          (overwritten.length > 0 ? `${o.command} would overwrite ${someOf(overwritten, 10)}` : `${o.command} would write its outputs among them`) +
          `: give a new or empty folder, or --force to write there anyway`,
      );
    }
    if (entries.includes(OUTPUT_MARKER)) return;
  }
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomically(join(dir, OUTPUT_MARKER), `${JSON.stringify({ writtenBy: o.command })}\n`);
  } catch (e) {
    throw asIoError(e, 'cannot write the output folder', dir);
  }
}
