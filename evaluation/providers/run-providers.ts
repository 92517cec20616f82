// `rafcast providers` from a data folder (issue 17, "Provider view"): the suspects of as-of T
// (evaluation/suspects/run-suspects.ts, the library function, written to <out>/suspects; or a
// folder of them already computed with the same as-of and cut-off, --suspects), then the contract's
// members, claims and providers loaded and checked once as by `rafcast load` (in a private work
// database), the overuse alerts of as-of T computed from them (evaluation/audit-risk,
// written to <out>/audit-risk; or a folder of them of the same as-of, --audit-risk) and the
// provider view written (provider-views.ts). The suspects run first and close their DuckDB, so
// that one database at a time holds memory.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findDataFiles, findOptionalDataFiles } from '../../data/contract-files.ts';
import { sqlString } from '../../data/duckdb.ts';
import { ConfigError } from '../../data/errors.ts';
import { defaultCutoff, parseCutoff } from '../../data/received-by.ts';
import { claimOutputFolder } from '../../data/output-folder.ts';
import { openWorkDb } from '../../data/staged-contract.ts';
import { requireBaseRate } from '../../scoring/revenue.ts';
import { AUDIT_RISK_FILES } from '../audit-risk/audit-risk.ts';
import { auditHistory, auditRiskOn, loadClaimsAndProviders } from '../audit-risk/run-audit-risk.ts';
import { runSuspects, type RunSuspectsOptions } from '../suspects/run-suspects.ts';
import { SUSPECTS_FILES } from '../suspects/suspects.ts';
import { alertsRelationSql } from './provider-alerts.ts';
import { writeProviderViews, type ProvidersSummary } from './provider-views.ts';

export interface RunProvidersOptions extends Omit<RunSuspectsOptions, 'out'> {
  out: string;
  /** A folder from `rafcast suspects` with the same as-of and cut-off (computed into <out>/suspects otherwise). */
  suspects?: string;
  /** A folder from `rafcast audit-risk` with the same as-of (computed into <out>/audit-risk otherwise, from the complete history `history`). */
  auditRisk?: string;
}

/** The suspects folder's suspects.csv, checked to be of as-of T and cut-off C. */
function checkedSuspects(dir: string, T: number, C: string): string {
  const csv = join(dir, 'suspects.csv');
  const json = join(dir, 'suspects-summary.json');
  if (!existsSync(csv) || !existsSync(json)) throw new ConfigError(`${dir} has no suspects.csv and suspects-summary.json: --suspects must be a folder from rafcast suspects`);
  const s = JSON.parse(readFileSync(json, 'utf8')) as { asOf?: number; dataThrough?: string };
  if (s.asOf !== T || s.dataThrough !== C) {
    throw new ConfigError(`--suspects ${dir} holds the suspects of as-of ${s.asOf ?? '?'} with data through ${s.dataThrough ?? '?'}, not of as-of ${T} with data through ${C}`);
  }
  return csv;
}

/** The audit-risk folder's alerts.csv, checked to be of as-of T. */
function checkedAlerts(dir: string, T: number): string {
  const csv = join(dir, 'alerts.csv');
  const json = join(dir, 'audit-risk-summary.json');
  if (!existsSync(csv) || !existsSync(json)) throw new ConfigError(`${dir} has no alerts.csv and audit-risk-summary.json: --audit-risk must be a folder from rafcast audit-risk`);
  const s = JSON.parse(readFileSync(json, 'utf8')) as { asOf?: number };
  if (s.asOf !== T) throw new ConfigError(`--audit-risk ${dir} holds the alerts of as-of ${s.asOf ?? '?'}, not of as-of ${T}`);
  return csv;
}

export async function runProviders(
  o: RunProvidersOptions,
  onProgress: (stage: string, done: number, total: number) => void = () => undefined,
): Promise<ProvidersSummary> {
  requireBaseRate(o.annualBaseRate);
  const T = o.asOf;
  const C = parseCutoff(o.dataThrough ?? defaultCutoff(T));
  findDataFiles(o.data);
  const providersFile = findOptionalDataFiles(o.data).providers;
  // Checked before the long work: a given alerts folder, or the history the alerts are computed from.
  const alerts: { csv: string } | { history: { hcc: string; history: string } } =
    o.auditRisk !== undefined ? { csv: checkedAlerts(o.auditRisk, T) } : { history: auditHistory({ data: o.data, asOf: T, ...(o.history !== undefined ? { history: o.history } : {}) }) };
  let suspectsDir = o.suspects;
  if (suspectsDir === undefined) {
    suspectsDir = join(o.out, 'suspects');
    // Marked as rafcast's, so that rafcast suspects --out <out>/suspects may later write there too.
    await claimOutputFolder(suspectsDir, { option: '--out', command: 'rafcast providers', writes: SUSPECTS_FILES, force: false });
    const { suspects: _unused, ...rest } = o;
    await runSuspects({ ...rest, dataThrough: C, out: suspectsDir }, onProgress);
  }
  const suspectsCsv = checkedSuspects(suspectsDir, T, C);
  const db = await openWorkDb(o.out, o.memoryLimit);
  try {
    // The members, claims and providers, checked once for the alerts and the view (rejected rows
    // in the output folder, <table>.rejected.csv).
    const { loaded } = await loadClaimsAndProviders(db.conn, o.data, o.out, onProgress);
    let alertsCsv: string;
    if ('csv' in alerts) alertsCsv = alerts.csv;
    else {
      const auditDir = join(o.out, 'audit-risk');
      await claimOutputFolder(auditDir, { option: '--out', command: 'rafcast providers', writes: AUDIT_RISK_FILES, force: false });
      await auditRiskOn(db.conn, { data: o.data, asOf: T, out: auditDir, annualBaseRate: o.annualBaseRate, providers: providersFile, history: alerts.history }, onProgress);
      alertsCsv = checkedAlerts(auditDir, T);
    }
    await db.conn.run(
      `CREATE TEMP VIEW _prov_suspects AS
       SELECT member_id, hcc::INTEGER AS hcc, description, evidence_type, detail, nullif(dollars, '')::DECIMAL(18, 2) AS dollars
       FROM read_csv(${sqlString(suspectsCsv)}, header = true, all_varchar = true)`,
    );
    return await writeProviderViews(
      db.conn,
      {
        asOf: T,
        dataThrough: C,
        claims: 'claims',
        ...(providersFile !== undefined ? { providers: 'providers' } : {}),
        suspects: '_prov_suspects',
        alerts: alertsRelationSql(alertsCsv),
        out: o.out,
        notes: [
          ...loaded.map((l) => `${l.table}: ${l.read} rows read = ${l.accepted} accepted + ${l.rejected} rejected${l.rejected > 0 ? ` (${l.quarantine})` : ''}`),
          ...(providersFile === undefined ? [`no providers.csv or providers.parquet in ${o.data}: clinicians have no name, specialty or practice, and every NPI is in one group with a blank TIN`] : []),
          `suspects from ${suspectsCsv}`,
          `overuse alerts from ${alertsCsv} (payment year ${T}, the HCCs of ${T - 1}, whatever the cut-off)`,
        ],
      },
      (stage) => onProgress(stage, 0, 1),
    );
  } finally {
    await db.close();
  }
}
