// `rafcast align` from a data folder (issue 19): the contract's members, enrollment and claims, the
// participant list (required here), and the providers and voluntary alignment files when the plan
// has them, loaded and checked as by `rafcast load` (rejected rows to <out>/<table>.rejected.csv,
// staged in a private work folder), then the alignment written (write-alignment.ts).
import { findDataFiles, findOptionalDataFiles } from '../../data/contract-files.ts';
import { ConfigError } from '../../data/errors.ts';
import type { LoadSummary } from '../../data/load-contract-file.ts';
import { loadStagedContract, openWorkDb, type ContractFiles } from '../../data/staged-contract.ts';
import { loadAlignmentRules, loadMinimumAligned, loadPqemCodes, loadPrimaryCareSpecialties, type AcoType } from '../../data/reference/alignment-rules.ts';
import { alignmentWindow, type AlignmentSources } from './alignment-sql.ts';
import { writeAlignment, type AlignSummary } from './write-alignment.ts';

/** The files rafcast align reads from a data folder: the contract's, the participant list (required), providers and voluntary alignment when there. */
export function findAlignmentFiles(data: string): ContractFiles {
  const contract = findDataFiles(data);
  const optional = findOptionalDataFiles(data);
  if (optional.participants === undefined) throw new ConfigError(`${data} has no participants.csv or participants.parquet: rafcast align needs the entity's participant list (data/README.md)`);
  return {
    ...contract,
    participants: optional.participants,
    ...(optional.providers !== undefined ? { providers: optional.providers } : {}),
    ...(optional.voluntary_alignment !== undefined ? { voluntary_alignment: optional.voluntary_alignment } : {}),
  };
}

/** The alignment's sources once `files` are staged by loadStagedContract (views of the tables' names), with the reference lists. */
export function stagedSources(files: ContractFiles): AlignmentSources {
  return {
    members: 'members',
    enrollment: 'enrollment',
    claims: 'claims',
    participants: 'participants',
    ...(files.providers !== undefined ? { providers: 'providers' } : {}),
    ...(files.voluntary_alignment !== undefined ? { voluntary: 'voluntary_alignment' } : {}),
    pqemCodes: loadPqemCodes(),
    primaryCareSpecialties: loadPrimaryCareSpecialties(),
  };
}

/** The summary's notes on the inputs: each file's rows read = accepted + rejected, and the optional files missing. */
export function inputNotes(data: string, files: ContractFiles, loaded: readonly LoadSummary[]): string[] {
  return [
    ...loaded.map((l) => `${l.table}: ${l.read} rows read = ${l.accepted} accepted + ${l.rejected} rejected${l.rejected > 0 ? ` (${l.quarantine})` : ''}`),
    ...(files.providers === undefined ? [`no providers file in ${data}: no clinician has a specialty, so every service counts as a specialist's (the primary care step never applies)`] : []),
    ...(files.voluntary_alignment === undefined ? [`no voluntary_alignment file in ${data}: claims-based alignment only`] : []),
  ];
}

export interface RunAlignOptions {
  data: string;
  performanceYear: number;
  out: string;
  acoType: AcoType;
  memoryLimit?: string;
}

export async function runAlign(o: RunAlignOptions, onProgress: (stage: string) => void = () => undefined): Promise<AlignSummary> {
  // Settings and reference data first: a year without rules fails before any loading.
  // The projection applies PY's rules to PY+1's window: PY+1's may not be published yet (and
  // REACH's last performance year is 2026), and no year is picked silently.
  const rules = loadAlignmentRules(o.performanceYear);
  const minimum = loadMinimumAligned(o.performanceYear, o.acoType);
  const files = findAlignmentFiles(o.data);
  const db = await openWorkDb(o.out, o.memoryLimit);
  try {
    const loaded = await loadStagedContract(db.conn, files, db.work, { rejectedDir: o.out, onTable: (t) => onProgress(`loading ${t}`) });
    return await writeAlignment(
      db.conn,
      {
        sources: stagedSources(files),
        now: { window: alignmentWindow(o.performanceYear, rules), rules },
        next: { window: alignmentWindow(o.performanceYear + 1, rules), rules },
        acoType: o.acoType,
        minimum,
        out: o.out,
        notes: [
          ...inputNotes(o.data, files, loaded),
          `the projection for ${o.performanceYear + 1} applies the rules of ${o.performanceYear} to the claims of its alignment period there are, and assumes enrollment continues`,
        ],
      },
      onProgress,
    );
  } finally {
    await db.close();
  }
}
