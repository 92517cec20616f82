// `rafcast suspects`'s work on an open DuckDB connection (issue 17, "Suspects"): the suspects of
// as-of year T (suspect-sql.ts), each priced through the engine (suspect-value.ts), confirmed or
// not when the complete history holds T (a backtest: the suspected HCC, or one above it in the
// V28 hierarchy, is coded in T), written as suspects.csv (one row per member, HCC and evidence
// type) and a summary (suspects-summary.json and .txt) of each evidence type's counts, dollars and
// confirmation rate, with each rule's rate beside it so that a plan sees which rules to trust.
// An evidence type whose file is absent (no pharmacy, no labs) is reported absent, with why.
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { writeFileAtomically } from '../../data/atomic-file.ts';
import type { LoadSummary } from '../../data/load-contract-file.ts';
import { copyAtomically, sqlString } from '../../data/duckdb.ts';
import { loadSuspectRules, type SuspectRules } from '../../data/reference/suspect-rules.ts';
import { createCodedTables, createSuspectRuleTables, evidenceFrom, type SuspectSources } from '../../features/suspect-evidence.ts';
import { EVIDENCE_TYPES, createSuspects, type EvidenceType } from './suspect-sql.ts';
import { priceSuspects, suspectPricing } from './suspect-value.ts';
import { summaryText } from './summary-text.ts';

export const SUSPECTS_FILES = ['suspects.csv', 'suspects-summary.json', 'suspects-summary.txt'] as const;

export interface SuspectsInputs extends SuspectSources {
  /** raf_history of the history as known on the cut-off (the demographics suspects are priced with). */
  history: string;
  /** raf_hcc of the complete history when it holds T (the backtest's confirmation), or why there is none. */
  confirm: { hcc: string } | { notMeasurable: string };
  /** Why the pharmacy or labs evidence is absent (set when src.pharmacy or src.labs is not). */
  absent?: Partial<Record<'pharmacy' | 'labs', string>>;
  /** What loading the evidence files read (evidence-files.ts): recorded in the summary. */
  loaded?: LoadSummary[];
  annualBaseRate: number;
  out: string;
  /** The rules (default: data/reference/suspects, checked against the V28 tables priced with). */
  rules?: SuspectRules;
  /** Members priced per batch (default PRICING_CHUNK; a test sets a few to hold many chunks equal to one). */
  pricingChunk?: number;
}

export interface EvidenceSummary {
  type: EvidenceType;
  /** False when its file is absent; `reason` says why. */
  available: boolean;
  reason?: string;
  suspects: number;
  members: number;
  /** Sum of the priced suspects' dollars (a year of payment, T+1). */
  dollars: number;
  confirmed: number | null;
  /** confirmed / suspects; null when not measurable or no suspect. */
  confirmationRate: number | null;
  /** The same by rule (medication, lab, comorbidity): a suspect several rules found counts for each, with its dollars. */
  byRule: { rule: string; suspects: number; dollars: number; confirmed: number | null; confirmationRate: number | null }[];
}

export interface SuspectsSummary {
  asOf: number;
  dataThrough: string;
  evidenceFrom: string;
  paymentYear: number;
  factorsYear: number;
  annualBaseRate: number;
  pricedOn: string;
  suspects: number;
  members: number;
  unpricedMembers: number;
  confirmation: { measurable: true } | { measurable: false; reason: string };
  evidence: EvidenceSummary[];
  /** The input files checked here (members, pharmacy, labs): read = accepted + rejected, and where the rejected rows are. */
  loaded: LoadSummary[];
  files: string[];
}

const cents = (d: number): number => Math.round(d * 100) / 100;
const rate = (confirmed: number | null, n: number): number | null => (confirmed === null || n === 0 ? null : confirmed / n);

/** Finds, prices, confirms and writes the suspects of as-of T (module comment). */
export async function writeSuspects(
  conn: DuckDBConnection,
  o: SuspectsInputs,
  onProgress: (stage: string, done: number, total: number) => void = () => undefined,
): Promise<SuspectsSummary> {
  const T = Math.trunc(o.asOf);
  const pricing = suspectPricing(T, o.annualBaseRate);
  const rules = o.rules ?? loadSuspectRules(pricing.v28);
  onProgress('finding suspects', 0, 1);
  await createSuspectRuleTables(conn, rules, pricing.v28);
  await createCodedTables(conn, o);
  await createSuspects(conn, o);
  const { unpriced } = await priceSuspects(conn, o.history, T, pricing, (d, n) => onProgress('pricing suspects', d, n), o.pricingChunk);
  const confirmHcc = 'hcc' in o.confirm ? o.confirm.hcc : undefined;
  const measurable = confirmHcc !== undefined;
  if (measurable) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE _sus_confirm AS SELECT DISTINCT member_id, hcc FROM ${confirmHcc} WHERE model = 'V28' AND year = ${T}`);
  }
  const confirmed = measurable
    ? `EXISTS (SELECT 1 FROM _sus_cover cv JOIN _sus_confirm k ON k.hcc = cv.coded_hcc WHERE cv.hcc = s.hcc AND k.member_id = s.member_id)`
    : 'NULL::BOOLEAN';
  const labels = [...pricing.v28.labels].map(([h, l]) => `(${h}, ${sqlString(l)})`).join(', ');
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _sus_out AS
     SELECT s.member_id, s.hcc, l.description, s.evidence_type, coalesce(s.rules, '') AS rules, s.strength, s.detail,
            s.first_date, s.last_date, s.n AS evidence_count, s.provider_npi,
            round(v.score_without, 3) AS score_without, round(v.score_with, 3) AS score_with, v.dollars::DECIMAL(18, 2) AS dollars, ${confirmed} AS confirmed
     FROM _suspects s LEFT JOIN _sus_values v USING (member_id, hcc) LEFT JOIN (VALUES ${labels}) l(hcc, description) USING (hcc)`,
  );
  onProgress('writing suspects.csv', 0, 1);
  const csv = join(o.out, 'suspects.csv');
  await copyAtomically(conn, `SELECT * FROM _sus_out ORDER BY member_id, hcc, evidence_type`, csv, 'csv');

  const summed = `count(*)::BIGINT AS n, count(DISTINCT member_id)::BIGINT AS members, coalesce(sum(dollars), 0)::DOUBLE AS dollars,
              count(*) FILTER (WHERE confirmed)::BIGINT AS confirmed`;
  const groups = (await conn.runAndReadAll(`SELECT evidence_type, ${summed} FROM _sus_out GROUP BY evidence_type`)).getRowObjectsJson();
  // By rule: a suspect two rules found (insulin and a sulfonylurea) counts for each.
  const ruleGroups = (
    await conn.runAndReadAll(
      `SELECT evidence_type, rule, ${summed} FROM (SELECT *, unnest(string_split(rules, '|')) AS rule FROM _sus_out WHERE rules <> '')
       GROUP BY evidence_type, rule ORDER BY evidence_type, rule`,
    )
  ).getRowObjectsJson();
  const totals = (await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n, count(DISTINCT member_id)::BIGINT AS members FROM _sus_out`)).getRowObjectsJson()[0]!;
  const available = (t: EvidenceType): string | undefined =>
    t === 'medication' && o.pharmacy === undefined
      ? (o.absent?.pharmacy ?? 'no pharmacy file')
      : t === 'lab' && o.labs === undefined
        ? (o.absent?.labs ?? 'no labs file')
        : undefined;
  const evidence = EVIDENCE_TYPES.map((type): EvidenceSummary => {
    const reason = available(type);
    const all = groups.find((g) => g.evidence_type === type);
    const n = Number(all?.n ?? 0);
    const conf = measurable ? Number(all?.confirmed ?? 0) : null;
    return {
      type,
      available: reason === undefined,
      ...(reason === undefined ? {} : { reason }),
      suspects: n,
      members: Number(all?.members ?? 0),
      dollars: cents(Number(all?.dollars ?? 0)),
      confirmed: conf,
      confirmationRate: rate(conf, n),
      byRule: ruleGroups
        .filter((g) => g.evidence_type === type)
        .map((g) => {
          const c = measurable ? Number(g.confirmed) : null;
          return { rule: String(g.rule), suspects: Number(g.n), dollars: cents(Number(g.dollars)), confirmed: c, confirmationRate: rate(c, Number(g.n)) };
        }),
    };
  });
  const summary: SuspectsSummary = {
    asOf: T,
    dataThrough: o.dataThrough,
    evidenceFrom: evidenceFrom(T),
    paymentYear: T + 1,
    factorsYear: pricing.factorsYear,
    annualBaseRate: o.annualBaseRate,
    pricedOn: `V28 alone (blend 100% V28), normalisation ${pricing.params.normalization.V28} and MA coding adjustment ${pricing.params.codingAdjustment} of payment year ${pricing.factorsYear}`,
    suspects: Number(totals.n),
    members: Number(totals.members),
    unpricedMembers: unpriced,
    confirmation: 'notMeasurable' in o.confirm ? { measurable: false, reason: o.confirm.notMeasurable } : { measurable: true },
    evidence,
    loaded: o.loaded ?? [],
    files: SUSPECTS_FILES.map((f) => join(o.out, f)),
  };
  await writeFileAtomically(join(o.out, 'suspects-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFileAtomically(join(o.out, 'suspects-summary.txt'), summaryText(summary));
  return summary;
}
