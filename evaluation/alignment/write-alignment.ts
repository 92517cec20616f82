// `rafcast align`'s files (issue 19; every column in ./README.md): alignment.csv, one row per member
// with the rule behind its alignment and the visit counts behind its projection; practices.csv, the
// counts by participant TIN; align-summary.json and .txt, the entity's count against the model's
// minimum. Each file is written to a temporary file and renamed, owner-only.
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { prepareOutputFolder, writeFileAtomically } from '../../data/atomic-file.ts';
import { copyAtomically } from '../../data/duckdb.ts';
import type { AcoType, AlignmentRules } from '../../data/reference/alignment-rules.ts';
import { ALIGNED, createAlignmentResult, type AlignmentSources, type AlignmentWindow } from './alignment-sql.ts';

export const ALIGN_FILES = ['alignment.csv', 'practices.csv', 'align-summary.json', 'align-summary.txt'] as const;

export interface AlignSummary {
  performanceYear: number;
  acoType: AcoType;
  window: AlignmentWindow;
  /** The next performance year's window: the projection reads the claims of it there are. */
  nextWindow: AlignmentWindow;
  members: number;
  eligible: number;
  /** Members excluded, by the rule that excluded them. */
  excludedBy: Record<string, number>;
  /** Members by alignment: claims, voluntary, both, voluntary_elsewhere, claims_elsewhere, none, ineligible. */
  byAlignment: Record<string, number>;
  /** Aligned to the entity: claims + voluntary + both. */
  aligned: number;
  /** Voluntary designations to the entity removed by the removal rule. */
  voluntaryRemoved: number;
  /** The model's minimum for the ACO type and year, with its source; null when none is on record. */
  minimum: { minimum: number; source: string } | null;
  /** aligned - minimum (negative: short); null without a minimum. */
  marginOverMinimum: number | null;
  /** Members by projection: aligned_now, on_track, at_risk, not_aligned, ineligible. */
  projection: Record<string, number>;
  /** Participant TINs with at least one aligned or projected member. */
  practices: number;
  notes: string[];
  files: string[];
}

export interface WriteAlignmentOptions {
  sources: AlignmentSources;
  now: { window: AlignmentWindow; rules: AlignmentRules };
  next: { window: AlignmentWindow; rules: AlignmentRules };
  acoType: AcoType;
  minimum: { minimum: number; source: string } | undefined;
  out: string;
  notes: readonly string[];
}

const counts = async (conn: DuckDBConnection, column: string, where = 'true'): Promise<Record<string, number>> => {
  const rows = (await conn.runAndReadAll(`SELECT ${column} AS k, count(*)::INTEGER AS n FROM _al_result WHERE ${where} GROUP BY ${column} ORDER BY ${column}`)).getRowObjectsJson();
  return Object.fromEntries(rows.map((r) => [String(r.k), Number(r.n)]));
};

/** Computes the alignment (alignment-sql.ts) on `conn` and writes the files into `out`. */
export async function writeAlignment(conn: DuckDBConnection, o: WriteAlignmentOptions, onStep: (step: string) => void = () => undefined): Promise<AlignSummary> {
  await prepareOutputFolder(o.out, 'the --out folder');
  await createAlignmentResult(conn, o.sources, o.now, o.next, onStep);
  onStep('writing');
  const files = ALIGN_FILES.map((f) => join(o.out, f));
  await copyAtomically(conn, `SELECT * FROM _al_result ORDER BY member_id`, files[0]!, 'csv');
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _al_practices AS
     WITH now AS (SELECT aligned_tin AS tin, alignment, projection FROM _al_result WHERE alignment IN ${ALIGNED}),
     nx AS (SELECT next_tin AS tin, projection FROM _al_result WHERE next_alignment IN ${ALIGNED} AND projection <> 'ineligible'),
     tins AS (SELECT tin FROM now UNION SELECT tin FROM nx)
     SELECT t.tin,
       (SELECT count(*) FROM now WHERE now.tin = t.tin)::INTEGER AS aligned,
       (SELECT count(*) FROM now WHERE now.tin = t.tin AND alignment = 'claims')::INTEGER AS claims,
       (SELECT count(*) FROM now WHERE now.tin = t.tin AND alignment = 'voluntary')::INTEGER AS voluntary,
       (SELECT count(*) FROM now WHERE now.tin = t.tin AND alignment = 'both')::INTEGER AS both_aligned,
       (SELECT count(*) FROM now WHERE now.tin = t.tin AND projection = 'at_risk')::INTEGER AS at_risk,
       (SELECT count(*) FROM nx WHERE nx.tin = t.tin AND projection = 'on_track')::INTEGER AS on_track,
       (SELECT count(*) FROM nx WHERE nx.tin = t.tin)::INTEGER AS projected_next
     FROM tins t`,
  );
  await copyAtomically(conn, `SELECT * FROM _al_practices ORDER BY aligned DESC, tin`, files[1]!, 'csv');
  const byAlignment = await counts(conn, 'alignment');
  const aligned = (byAlignment.claims ?? 0) + (byAlignment.voluntary ?? 0) + (byAlignment.both ?? 0);
  const scalar = async (sql: string): Promise<number> => Number((await conn.runAndReadAll(sql)).getRowObjectsJson()[0]!.n);
  const members = await scalar(`SELECT count(*)::INTEGER AS n FROM _al_result`);
  const eligible = await scalar(`SELECT count(*)::INTEGER AS n FROM _al_result WHERE eligible`);
  const summary: AlignSummary = {
    performanceYear: o.now.window.performanceYear,
    acoType: o.acoType,
    window: o.now.window,
    nextWindow: o.next.window,
    members,
    eligible,
    excludedBy: await counts(conn, 'excluded_by', 'NOT eligible'),
    byAlignment,
    aligned,
    voluntaryRemoved: await scalar(`SELECT count(*)::INTEGER AS n FROM _al_result WHERE voluntary_removed AND eligible`),
    minimum: o.minimum ?? null,
    marginOverMinimum: o.minimum === undefined ? null : aligned - o.minimum.minimum,
    projection: await counts(conn, 'projection'),
    practices: await scalar(`SELECT count(*)::INTEGER AS n FROM _al_practices`),
    notes: [...o.notes],
    files,
  };
  await writeFileAtomically(files[2]!, `${JSON.stringify(summary, null, 2)}\n`);
  await writeFileAtomically(files[3]!, alignSummaryText(summary));
  return summary;
}

const ALIGNED_KINDS = ['claims', 'voluntary', 'both'];
const NOT_ALIGNED_KINDS = ['claims_elsewhere', 'voluntary_elsewhere', 'none', 'ineligible'];
const pick = (r: Record<string, number>, keys: readonly string[]): Record<string, number> => Object.fromEntries(keys.filter((k) => r[k] !== undefined).map((k) => [k, r[k]!]));

/** The summary as the terminal and align-summary.txt give it: counts only, never a member id. */
export function alignSummaryText(s: AlignSummary): string {
  const line = (r: Record<string, number>): string =>
    Object.entries(r)
      .map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`)
      .join(', ') || 'none';
  const min =
    s.minimum === null
      ? `no minimum on record for a ${s.acoType} ACO in ${s.performanceYear} (data/reference/alignment/minimum_aligned.csv)`
      : `minimum ${s.minimum.minimum.toLocaleString('en-US')} for a ${s.acoType} ACO: ${s.marginOverMinimum! >= 0 ? `met, ${s.marginOverMinimum!.toLocaleString('en-US')} over` : `short by ${(-s.marginOverMinimum!).toLocaleString('en-US')}`} (${s.minimum.source})`;
  return [
    `ACO REACH alignment for performance year ${s.performanceYear}: services from ${s.window.from} to before ${s.window.to} (alignment years from ${s.window.from} and ${s.window.middle})`,
    `members ${s.members.toLocaleString('en-US')}, eligible ${s.eligible.toLocaleString('en-US')}; excluded: ${line(s.excludedBy)}`,
    `aligned ${s.aligned.toLocaleString('en-US')} (${line(pick(s.byAlignment, ALIGNED_KINDS))}); not aligned: ${line(pick(s.byAlignment, NOT_ALIGNED_KINDS))}; voluntary designations removed ${s.voluntaryRemoved}`,
    min,
    `projection for ${s.nextWindow.performanceYear} (services from ${s.nextWindow.from}, as far as the claims go): ${line(s.projection)}`,
    `practices (participant TINs) with aligned or projected members: ${s.practices}`,
    ...s.notes,
    '',
  ].join('\n');
}
