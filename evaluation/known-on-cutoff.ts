// What the expected dollars read at as-of T with data cut-off C (issue 15, "what is known on
// January 1"): the history as known on C and the claims received by C, never the complete
// history, so that a claim of T-1 received after C opens no HCC, moves no RAF_{T-1}, no rate and
// no fit (evaluation/member-dollars.ts, evaluation/candidates.ts). The backtest's measured dollars
// keep reading the complete history.
//
// The history as known on C is features/known-history.ts's, the one rule (data/received-by.ts),
// over the service years the dollars read, T-4 to T-1: the features' years T-2 and T-1 (a run's
// history stage stores them: history-known/as-of-T-through-C), and T-4 and T-3, the same function
// at as-of T-2 with the same cut-off (a run stores them too: history-known/as-of-<T-2>-through-C),
// each pair scored as the complete history scored it. Either is computed here when not given.
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { existingRelations, sqlString } from '../data/duckdb.ts';
import { makeWorkFolder, removeWorkFolder } from '../data/temporary-files.ts';
import { defaultCutoff, parseCutoff, receivedBySql } from '../data/received-by.ts';
import { knownHistoryIn } from '../features/build-features.ts';
import { dollarsKnownHistoryYears } from '../features/data-cutoff.ts';
import { historyDir, type RunInputs } from '../models/run-registry.ts';


/** The relations (SQL text) of what is known on the cut-off, created on the connection. */
export interface KnownOnCutoff {
  dataThrough: string;
  /** raf_history rows of years T-4..T-1 as known on C. */
  history: string;
  /** raf_hcc rows of years T-4..T-1 as known on C. */
  hcc: string;
  /** The claims received by C. */
  claims: string;
  /** The evidence files' tables when the plan has them (their rows are cut at C where they are read: features/suspect-evidence.ts). */
  pharmacy?: string;
  labs?: string;
  /** The folders read: the history as known on C at as-of T and at as-of T-2. */
  folders: { asOf: number; folder: string }[];
  /** Removes what was computed here. */
  close: () => Promise<void>;
}

/**
 * Creates on `conn` (whose contract tables are attached) the views `_known_history`, `_known_hcc`
 * and `_known_claims` of what is known on the cut-off (module comment). `known` gives histories
 * already computed, by as-of year; the others are computed in a temporary folder, from the
 * checked folder when there is one, else from the contract's files.
 */
export async function knownOnCutoff(
  conn: DuckDBConnection,
  inputs: Pick<RunInputs, 'data' | 'history' | 'checked'>,
  asOf: number,
  dataThrough: string | undefined,
  known: Record<number, string> | undefined,
  log: (line: string) => void = () => undefined,
): Promise<KnownOnCutoff> {
  const T = asOf;
  const C = parseCutoff(dataThrough ?? defaultCutoff(T));
  let work: string | undefined;
  const close = async (): Promise<void> => {
    if (work !== undefined) await removeWorkFolder(work);
  };
  try {
    const folders: KnownOnCutoff['folders'] = [];
    for (const y of dollarsKnownHistoryYears(T)) {
      let folder = known?.[y];
      if (folder === undefined) {
        work ??= makeWorkFolder('rafcast-known-');
        const checked = inputs.checked !== undefined && inputs.checked.length === 1 ? { checked: inputs.checked } : {};
        folder = await knownHistoryIn({ data: inputs.data, history: historyDir(inputs), asOf: y, work, ...checked }, C, log);
      }
      folders.push({ asOf: y, folder });
    }
    // As-of T's gives T-2 and T-1; as-of T-2's the years before T-2 (its years are clipped to the
    // data's, so it may repeat one of T's: only the earlier are taken).
    const union = (file: string): string =>
      `SELECT * FROM read_parquet(${sqlString(join(folders[0]!.folder, file))})
       UNION ALL BY NAME SELECT * FROM read_parquet(${sqlString(join(folders[1]!.folder, file))}) WHERE year < ${T - 2}`;
    await conn.run(`CREATE OR REPLACE TEMP VIEW _known_history AS ${union('raf_history.parquet')}`);
    await conn.run(`CREATE OR REPLACE TEMP VIEW _known_hcc AS ${union('raf_hcc.parquet')}`);
    await conn.run(`CREATE OR REPLACE TEMP VIEW _known_claims AS SELECT * FROM claims WHERE ${receivedBySql(C)}`);
    const evidence = await existingRelations(conn, ['pharmacy', 'labs']);
    return {
      dataThrough: C,
      history: '_known_history',
      hcc: '_known_hcc',
      claims: '_known_claims',
      ...(evidence.has('pharmacy') ? { pharmacy: 'pharmacy' } : {}),
      ...(evidence.has('labs') ? { labs: 'labs' } : {}),
      folders,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
