// `rafcast providers`'s work on an open DuckDB connection (issue 17, "Provider view"; columns and
// rules in ./README.md): from the building blocks of provider-sql.ts and the suspects' rows
// (evaluation/suspects, recapture and drop-off = open HCCs; medication, lab and comorbidity =
// suspects) and the overuse alerts of evaluation/audit-risk (provider-alerts.ts), one row per
// clinician (providers.csv, and their HCCs in provider-hccs.csv), one per practice (practices.csv,
// by TIN), one worklist per clinician (worklists/<npi>.csv: attributed members with open items or
// alerts, by open and suspect dollars) and a summary comparing partner practices with the others.
// Everything is SQL over tables; only the summary's few figures come into JavaScript.
import { rm, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { prepareOutputFolder, writeFileAtomically } from '../../data/atomic-file.ts';
import { copyAtomically, sqlString } from '../../data/duckdb.ts';
import { splitCsvByFirstField } from '../../data/split-csv.ts';
import { loadEmCodes, type EmCode } from '../../data/reference/em-codes.ts';
import { auditByKeySql, createAlertItems, overuseAlertsCell } from './provider-alerts.ts';
import { createProviderTables, providerWindows, recaptureRowsSql, type ProviderWindows } from './provider-sql.ts';
import { providersSummaryText } from './summary-text.ts';

export const PROVIDERS_FILES = ['providers.csv', 'provider-hccs.csv', 'practices.csv', 'worklists', 'providers-summary.json', 'providers-summary.txt'] as const;

/** Evidence types of the suspects engine that are open HCCs (coded before, not yet this year). */
export const OPEN_TYPES = ['recapture', 'drop_off'] as const;

export interface ProviderViewInputs {
  asOf: number;
  /** The data cut-off, YYYY-MM-DD. */
  dataThrough: string;
  /** The contract's claims with `_row`. */
  claims: string;
  /** The contract's providers, when the plan has the file. */
  providers?: string;
  /** Rows of suspects.csv (member_id, hcc, description, evidence_type, detail, dollars). */
  suspects: string;
  /** Rows of audit-risk's alerts.csv (provider-alerts.ts alertsRelationSql: member_id, hcc, description, rule, claim_id, provider_npi, detail, dollars). */
  alerts: string;
  out: string;
  emCodes?: readonly EmCode[];
  /** Where the inputs came from, and why a figure is missing (no providers file). */
  notes?: string[];
}

/** A group of practices in the partner comparison, pooled. */
export interface PartnerGroup {
  group: 'partner' | 'not partner' | 'not in the providers file';
  practices: number;
  clinicians: number;
  membersAttributed: number;
  priorHccs: number;
  recaptured: number;
  recaptureRate: number | null;
  openDollars: number;
  suspectDollars: number;
  openDollarsPerMember: number | null;
  suspectDollarsPerMember: number | null;
}

export interface ProvidersSummary {
  asOf: number;
  dataThrough: string;
  window: { from: string; through: string };
  priorWindow: { from: string; through: string };
  attribution: string;
  membersSeen: number;
  membersAttributed: number;
  clinicians: number;
  practices: number;
  worklists: number;
  /** Open HCC and suspect dollars, of attributed members and of the others (no E/M visit): the two add to the suspects' total. */
  dollars: { openAttributed: number; suspectAttributed: number; openUnattributed: number; suspectUnattributed: number };
  /**
   * Overuse alerts (payment year T's HCCs of T-1): alerts, flagged member-HCCs and their dollars at
   * audit risk; the alerts whose claim has no NPI or an NPI with no claim in the window (on no clinician's row).
   */
  audit: { alerts: number; memberHccs: number; dollars: number; alertsWithoutClinician: number };
  partnerComparison: PartnerGroup[];
  notes: string[];
  files: string[];
}

export const ATTRIBUTION_RULE =
  'each member with an E/M visit in the window goes to the clinician (rendering NPI) with the most E/M visits (one a day); a tie goes to the later last visit, then to the lower NPI';

const dayBefore = (d: string): string => new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/** The figures every grouping (clinician, practice) sums from _prov_npi's columns. */
const SUMMED = `sum(members_attributed)::BIGINT AS members_attributed, sum(prior_hccs)::BIGINT AS prior_hccs, sum(recaptured)::BIGINT AS recaptured,
  round(sum(recaptured) / nullif(sum(prior_hccs), 0), 4) AS recapture_rate, sum(open_hccs)::BIGINT AS open_hccs, sum(open_dollars)::DECIMAL(18, 2) AS open_dollars,
  sum(suspect_hccs)::BIGINT AS suspect_hccs, sum(suspect_dollars)::DECIMAL(18, 2) AS suspect_dollars, sum(total_dollars)::DECIMAL(18, 2) AS total_dollars,
  sum(members_with_items)::BIGINT AS members_with_items`;

/** "HCC h: n (p%)" by HCC, most members first, for the groups of `key` in `coded` (key, member_id, hcc) over `seen` (key, members_seen). */
const byHccSql = (coded: string, seen: string) => `
  SELECT key, sum(members)::BIGINT AS hccs_coded,
         string_agg('HCC ' || hcc || ': ' || members || ' (' || round(100.0 * members / members_seen, 1) || '%)', '; ' ORDER BY members DESC, hcc) AS diagnoses_by_hcc
  FROM (SELECT key, hcc, count(DISTINCT member_id) AS members FROM ${coded} GROUP BY key, hcc) JOIN ${seen} USING (key) GROUP BY key`;

/** Builds and writes the provider view (module comment); returns its summary. */
export async function writeProviderViews(
  conn: DuckDBConnection,
  o: ProviderViewInputs,
  onProgress: (stage: string) => void = () => undefined,
): Promise<ProvidersSummary> {
  const w: ProviderWindows = providerWindows(o.dataThrough);
  onProgress('attributing members to clinicians');
  await createProviderTables(conn, { claims: o.claims, windows: w, emCodes: o.emCodes ?? loadEmCodes() });
  await conn.run(
    o.providers === undefined
      ? `CREATE OR REPLACE TEMP TABLE _prov_providers (npi VARCHAR, name VARCHAR, specialty VARCHAR, tin VARCHAR, practice_name VARCHAR, partner BOOLEAN)`
      : `CREATE OR REPLACE TEMP TABLE _prov_providers AS SELECT npi, name, specialty, tin, practice_name, coalesce(partner, false) AS partner FROM ${o.providers}`,
  );
  const open = `i.kind = 'open'`;
  // One row per member and HCC. Most have one evidence row, taken as it is; only the others go
  // through the ordered aggregates (DuckDB sorts each group for them): at 1,000,000 members 1.7 s
  // against 15.3 s for all 1.7M rows, the same table (measured on 2026-12-02).
  const isOpen = (type: string) => `${type} IN (${OPEN_TYPES.map(sqlString).join(', ')})`;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _prov_items AS
     WITH s AS (SELECT *, count(*) OVER (PARTITION BY member_id, hcc) AS n FROM ${o.suspects})
     SELECT member_id, hcc, description, CASE WHEN ${isOpen('evidence_type')} THEN 'open' ELSE 'suspect' END AS kind,
            evidence_type AS evidence, detail, dollars::DECIMAL(18, 2) AS dollars
     FROM s WHERE n = 1
     UNION ALL
     SELECT member_id, hcc, any_value(description) AS description, CASE WHEN bool_or(${isOpen('evidence_type')}) THEN 'open' ELSE 'suspect' END AS kind,
            string_agg(DISTINCT evidence_type, '|' ORDER BY evidence_type) AS evidence,
            string_agg(DISTINCT detail, '; ' ORDER BY detail) AS detail, max(dollars)::DECIMAL(18, 2) AS dollars
     FROM s WHERE n > 1 GROUP BY member_id, hcc`,
  );
  await createAlertItems(conn, o.alerts);
  onProgress('summing by clinician and practice');
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _prov_npi AS
     WITH seen AS (SELECT npi AS key, count(DISTINCT member_id) AS members_seen FROM _prov_seen GROUP BY npi),
       visits AS (SELECT npi AS key, count(*) AS em_visits FROM _prov_visits GROUP BY npi),
       attr AS (SELECT npi AS key, count(*) AS members_attributed FROM _prov_attr GROUP BY npi),
       rec AS (SELECT npi AS key, count(*) AS prior_hccs, count(*) FILTER (WHERE recaptured) AS recaptured FROM (${recaptureRowsSql}) GROUP BY npi),
       items AS (SELECT a.npi AS key, count(*) FILTER (WHERE ${open}) AS open_hccs, sum(i.dollars) FILTER (WHERE ${open}) AS open_dollars,
                        count(*) FILTER (WHERE NOT ${open}) AS suspect_hccs, sum(i.dollars) FILTER (WHERE NOT ${open}) AS suspect_dollars
                 FROM _prov_attr a JOIN _prov_items i USING (member_id) GROUP BY a.npi),
       wl AS (SELECT npi AS key, count(*) AS members_with_items FROM _prov_attr
              WHERE member_id IN (SELECT member_id FROM _prov_items UNION SELECT member_id FROM _prov_alert_items) GROUP BY npi),
       au AS (${auditByKeySql('(SELECT provider_npi AS key, member_id, hcc, dollars FROM _prov_alert_rows)')}),
       dx AS (${byHccSql('(SELECT npi AS key, member_id, hcc FROM _prov_coded)', 'seen')})
     SELECT s.key AS npi, p.name, p.specialty, p.tin, p.practice_name, p.partner, s.members_seen, coalesce(v.em_visits, 0) AS em_visits,
            coalesce(a.members_attributed, 0) AS members_attributed, coalesce(dx.hccs_coded, 0) AS hccs_coded, coalesce(dx.diagnoses_by_hcc, '') AS diagnoses_by_hcc,
            coalesce(r.prior_hccs, 0) AS prior_hccs, coalesce(r.recaptured, 0) AS recaptured, round(r.recaptured / nullif(r.prior_hccs, 0), 4) AS recapture_rate,
            coalesce(i.open_hccs, 0) AS open_hccs, coalesce(i.open_dollars, 0)::DECIMAL(18, 2) AS open_dollars,
            coalesce(i.suspect_hccs, 0) AS suspect_hccs, coalesce(i.suspect_dollars, 0)::DECIMAL(18, 2) AS suspect_dollars,
            (coalesce(i.open_dollars, 0) + coalesce(i.suspect_dollars, 0))::DECIMAL(18, 2) AS total_dollars, coalesce(wl.members_with_items, 0) AS members_with_items,
            coalesce(au.audit_alerts, 0) AS audit_alerts, coalesce(au.audit_dollars, 0)::DECIMAL(18, 2) AS audit_dollars
     FROM seen s LEFT JOIN _prov_providers p ON p.npi = s.key LEFT JOIN visits v USING (key) LEFT JOIN attr a USING (key)
       LEFT JOIN rec r USING (key) LEFT JOIN items i USING (key) LEFT JOIN wl USING (key) LEFT JOIN au USING (key) LEFT JOIN dx USING (key)`,
  );
  // A practice is a TIN; NPIs not in the providers file form one group with a blank TIN.
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _prov_practice AS
     WITH npi_key AS (SELECT npi, coalesce(tin, '') AS key FROM _prov_npi),
       seen AS (SELECT k.key, count(DISTINCT s.member_id) AS members_seen FROM _prov_seen s JOIN npi_key k USING (npi) GROUP BY k.key),
       dx AS (${byHccSql('(SELECT k.key, c.member_id, c.hcc FROM _prov_coded c JOIN npi_key k USING (npi))', 'seen')}),
       au AS (${auditByKeySql('(SELECT k.key, r.member_id, r.hcc, r.dollars FROM _prov_alert_rows r JOIN npi_key k ON k.npi = r.provider_npi)')})
     SELECT g.key AS tin, g.practice_name, g.partner, g.clinicians, s.members_seen, g.em_visits, g.members_attributed,
            coalesce(dx.hccs_coded, 0) AS hccs_coded, coalesce(dx.diagnoses_by_hcc, '') AS diagnoses_by_hcc, g.* EXCLUDE (key, practice_name, partner, clinicians, em_visits, members_attributed),
            coalesce(au.audit_alerts, 0) AS audit_alerts, coalesce(au.audit_dollars, 0)::DECIMAL(18, 2) AS audit_dollars
     FROM (SELECT coalesce(tin, '') AS key, CASE WHEN tin IS NULL THEN 'NPIs not in the providers file' ELSE mode(practice_name) END AS practice_name,
                  CASE WHEN tin IS NULL THEN NULL ELSE bool_or(partner) END AS partner, count(*) AS clinicians, sum(em_visits)::BIGINT AS em_visits, ${SUMMED}
           FROM _prov_npi GROUP BY coalesce(tin, ''), tin IS NULL) g JOIN seen s USING (key) LEFT JOIN dx USING (key) LEFT JOIN au USING (key)`,
  );
  onProgress('writing providers.csv, practices.csv and the worklists');
  const files = PROVIDERS_FILES.map((f) => join(o.out, f));
  await copyAtomically(conn, `SELECT * FROM _prov_npi ORDER BY total_dollars DESC, npi`, files[0]!, 'csv');
  await copyAtomically(
    conn,
    `SELECT c.npi, c.hcc, l.description, count(DISTINCT c.member_id) AS members_coded, sum(c.claims)::BIGINT AS claims, n.members_seen,
            round(count(DISTINCT c.member_id) / n.members_seen, 4) AS frequency
     FROM _prov_coded c JOIN _prov_npi n USING (npi) LEFT JOIN _prov_labels l USING (hcc) GROUP BY c.npi, c.hcc, l.description, n.members_seen
     ORDER BY c.npi, members_coded DESC, c.hcc`,
    files[1]!,
    'csv',
  );
  await copyAtomically(conn, `SELECT * FROM _prov_practice ORDER BY total_dollars DESC, tin`, files[2]!, 'csv');
  const worklists = await writeWorklists(conn, files[3]!);

  const one = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson()[0]!;
  const totals = await one(
    `SELECT (SELECT count(DISTINCT member_id) FROM _prov_seen) AS seen, (SELECT count(*) FROM _prov_attr) AS attributed,
            (SELECT count(*) FROM _prov_npi) AS clinicians, (SELECT count(*) FROM _prov_practice) AS practices,
            coalesce(sum(i.dollars) FILTER (WHERE a.npi IS NOT NULL AND ${open}), 0)::DOUBLE AS oa, coalesce(sum(i.dollars) FILTER (WHERE a.npi IS NOT NULL AND NOT ${open}), 0)::DOUBLE AS sa,
            coalesce(sum(i.dollars) FILTER (WHERE a.npi IS NULL AND ${open}), 0)::DOUBLE AS ou, coalesce(sum(i.dollars) FILTER (WHERE a.npi IS NULL AND NOT ${open}), 0)::DOUBLE AS su
     FROM _prov_items i LEFT JOIN _prov_attr a USING (member_id)`,
  );
  const audit = await one(
    `SELECT (SELECT count(*) FROM _prov_alert_rows) AS alerts, count(*) AS hccs, coalesce(sum(dollars), 0)::DOUBLE AS dollars,
            (SELECT count(*) FROM _prov_alert_rows WHERE provider_npi IS NULL OR provider_npi NOT IN (SELECT npi FROM _prov_npi)) AS off
     FROM _prov_alert_items`,
  );
  const groups = (
    await conn.runAndReadAll(
      `SELECT CASE WHEN partner IS NULL THEN 'not in the providers file' WHEN partner THEN 'partner' ELSE 'not partner' END AS grp, count(*) AS practices,
              sum(clinicians)::BIGINT AS clinicians, ${SUMMED} FROM _prov_practice GROUP BY grp ORDER BY grp DESC`,
    )
  ).getRowObjectsJson();
  const num = (x: unknown): number => Number(x ?? 0);
  const perMember = (d: unknown, m: number): number | null => (m === 0 ? null : Math.round((num(d) / m) * 100) / 100);
  const summary: ProvidersSummary = {
    asOf: o.asOf,
    dataThrough: w.cutoff,
    window: { from: w.from, through: dayBefore(w.cutoff) },
    priorWindow: { from: w.priorFrom, through: dayBefore(w.from) },
    attribution: ATTRIBUTION_RULE,
    membersSeen: num(totals.seen),
    membersAttributed: num(totals.attributed),
    clinicians: num(totals.clinicians),
    practices: num(totals.practices),
    worklists,
    dollars: { openAttributed: num(totals.oa), suspectAttributed: num(totals.sa), openUnattributed: num(totals.ou), suspectUnattributed: num(totals.su) },
    audit: { alerts: num(audit.alerts), memberHccs: num(audit.hccs), dollars: num(audit.dollars), alertsWithoutClinician: num(audit.off) },
    partnerComparison: groups.map((g) => ({
      group: g.grp as PartnerGroup['group'],
      practices: num(g.practices),
      clinicians: num(g.clinicians),
      membersAttributed: num(g.members_attributed),
      priorHccs: num(g.prior_hccs),
      recaptured: num(g.recaptured),
      recaptureRate: g.recapture_rate === null ? null : num(g.recapture_rate),
      openDollars: num(g.open_dollars),
      suspectDollars: num(g.suspect_dollars),
      openDollarsPerMember: perMember(g.open_dollars, num(g.members_attributed)),
      suspectDollarsPerMember: perMember(g.suspect_dollars, num(g.members_attributed)),
    })),
    notes: o.notes ?? [],
    files,
  };
  await writeFileAtomically(files[4]!, `${JSON.stringify(summary, null, 2)}\n`);
  await writeFileAtomically(files[5]!, providersSummaryText(summary));
  return summary;
}

/** Worklist columns, per attributed member with an open HCC, a suspect or an overuse alert, most open and suspect dollars first. */
const item = (kind: string) =>
  `string_agg('HCC ' || i.hcc || ' ' || coalesce(i.description, '') || ': ' || coalesce('$' || printf('%.2f', i.dollars), 'unpriced') || ' (' || i.evidence || '; ' || i.detail || ')', ' | '
     ORDER BY i.dollars DESC NULLS LAST, i.hcc) FILTER (WHERE i.kind = '${kind}')`;

/**
 * Writes worklists/<npi>.csv for every clinician with an attributed member who has an open item or
 * an overuse alert, into a fresh folder that then replaces the old one (no worklist of an earlier
 * run is left). The order is by open + suspect dollars (to gain); audit dollars (at risk of being
 * given back) only break ties, then the member id.
 */
async function writeWorklists(conn: DuckDBConnection, dir: string): Promise<number> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _prov_work AS
     WITH it AS (SELECT member_id, sum(i.dollars) AS total,
                        coalesce(sum(i.dollars) FILTER (WHERE i.kind = 'open'), 0) AS open_dollars,
                        coalesce(sum(i.dollars) FILTER (WHERE i.kind = 'suspect'), 0) AS suspect_dollars,
                        coalesce(${item('open')}, '') AS open_hccs, coalesce(${item('suspect')}, '') AS suspects
                 FROM _prov_items i GROUP BY member_id),
       al AS (SELECT member_id, coalesce(sum(x.dollars), 0) AS audit_dollars, ${overuseAlertsCell} AS overuse_alerts FROM _prov_alert_items x GROUP BY member_id)
     SELECT a.npi, row_number() OVER (PARTITION BY a.npi ORDER BY it.total DESC NULLS LAST, al.audit_dollars DESC NULLS LAST, a.member_id) AS rank, a.member_id,
            coalesce(it.total, 0)::DECIMAL(18, 2) AS total_dollars, coalesce(it.open_dollars, 0)::DECIMAL(18, 2) AS open_dollars,
            coalesce(it.suspect_dollars, 0)::DECIMAL(18, 2) AS suspect_dollars, coalesce(al.audit_dollars, 0)::DECIMAL(18, 2) AS audit_dollars,
            coalesce(it.open_hccs, '') AS open_hccs, coalesce(it.suspects, '') AS suspects, coalesce(al.overuse_alerts, '') AS overuse_alerts,
            a.visits AS em_visits, a.last_visit
     FROM _prov_attr a LEFT JOIN it USING (member_id) LEFT JOIN al USING (member_id)
     WHERE it.member_id IS NOT NULL OR al.member_id IS NOT NULL`,
  );
  // One COPY of every clinician's rows in NPI order, split into one file per NPI in one pass
  // (data/split-csv.ts); the whole table beside the fresh folder, removed after.
  const fresh = `${dir}.${process.pid}.new`;
  const whole = `${dir}.${process.pid}.all.csv`;
  await rm(fresh, { recursive: true, force: true });
  await prepareOutputFolder(fresh, 'the worklists folder');
  let written: number;
  try {
    await copyAtomically(conn, `SELECT * FROM _prov_work ORDER BY npi, rank`, whole, 'csv');
    // NPIs are checked 10-digit numbers on load: safe as file names; anything else is refused here too.
    written = await splitCsvByFirstField(whole, fresh, (npi) => `${npi}.csv`, /^\d{10}$/);
  } finally {
    await rm(whole, { force: true });
  }
  await rm(dir, { recursive: true, force: true });
  await rename(fresh, dir);
  return written;
}
