// `rafcast audit-risk` from a data folder (issue 17, "Overuse alerts"): the contract's members
// and claims, and the providers file when the plan has one, loaded and checked as by
// `rafcast load` (data/load-contract-file.ts, on a private work database; the rejected rows, with their reasons, go to
// <out>/<table>.rejected.csv, as `rafcast history` writes them, and are counted in the summary), the history's raf_hcc and raf_history (`rafcast
// history`, which must hold service year T-1), then writeAuditRisk (audit-risk.ts). At a million
// members the work is DuckDB over the checked tables and pricing PRICING_CHUNK members at a time.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findDataFiles, findOptionalDataFiles } from '../../data/contract-files.ts';
import { ConfigError } from '../../data/errors.ts';
import { sqlString } from '../../data/duckdb.ts';
import { openWorkDb } from '../../data/staged-contract.ts';
import { CONTRACT, type TableName } from '../../data/contract.ts';
import { loadContractFile, type LoadSummary } from '../../data/load-contract-file.ts';
import type { DuckDBConnection } from '@duckdb/node-api';
import { requireBaseRate } from '../../scoring/revenue.ts';
import { writeAuditRisk, type AuditRiskSummary } from './audit-risk.ts';

export interface RunAuditRiskOptions {
  /** The contract's files (members and claims; providers when the plan has it; the enrollment is not read). */
  data: string;
  asOf: number;
  out: string;
  annualBaseRate: number;
  /** The history (`rafcast history`; default <data>/history), holding service year T-1. */
  history?: string;
  memoryLimit?: string;
}

export interface RunAuditRiskSummary extends AuditRiskSummary {
  /** Input rows rejected while loading, by table, and the quarantine files with their reasons. */
  rejectedRows: Record<string, number>;
  quarantine: string[];
}

/** The history's raf_hcc and raf_history, checked to hold service year `year`. */
function historyFiles(history: string, year: number): { hcc: string; history: string } {
  const files = ['history.json', 'raf_hcc.parquet', 'raf_history.parquet'].map((f) => join(history, f));
  for (const f of files) if (!existsSync(f)) throw new ConfigError(`${f} is missing: run rafcast history on the data (or give --history) first`);
  const years = (JSON.parse(readFileSync(files[0]!, 'utf8')) as { years?: [number, number] }).years;
  if (years === undefined || year < years[0] || year > years[1]) {
    throw new ConfigError(`the history in ${history} covers ${years === undefined ? 'unknown years' : `${years[0]}-${years[1]}`}, not service year ${year}`);
  }
  return { hcc: `read_parquet(${sqlString(files[1]!)})`, history: `read_parquet(${sqlString(files[2]!)})` };
}

/**
 * Loads and checks, on `conn`, what the overuse alerts and the provider view read: the members (the
 * claims' member_id is checked against them), the claims and, when the plan has it, the providers
 * file, each left where its checks put it (data/load-contract-file.ts), not copied to Parquet: at
 * 1,000,000 members the copy of the 22.7M checked claims took 35-39 s, more than it saved the
 * queries after it (the alerts 11-14 s, the provider view 6-14 s; measured on 2026-12-02). The
 * enrollment is read by neither, so it is not loaded (5.2M rows of checking). Rejected rows go to
 * `<rejectedDir>/<table>.rejected.csv`: the data folder is only read.
 */
export async function loadClaimsAndProviders(
  conn: DuckDBConnection,
  data: string,
  rejectedDir: string,
  onProgress: (stage: string, done: number, total: number) => void = () => undefined,
): Promise<{ loaded: LoadSummary[]; providers: string | undefined }> {
  const contract = findDataFiles(data);
  const providers = findOptionalDataFiles(data).providers;
  const loaded: LoadSummary[] = [];
  const tables: [TableName, string | undefined][] = [['members', contract.members], ['claims', contract.claims], ['providers', providers]];
  for (const [table, file] of tables) {
    if (file === undefined) continue;
    onProgress(`loading ${table}`, 0, 1);
    loaded.push(await loadContractFile(conn, CONTRACT[table], file, { rejectedDir, withRowNumbers: table === 'claims' }));
  }
  return { loaded, providers };
}

/**
 * The overuse alerts (writeAuditRisk) on a connection where loadClaimsAndProviders has run, from
 * the history `history` (checked to hold T-1 by the caller: auditHistory).
 */
export async function auditRiskOn(
  conn: DuckDBConnection,
  o: { data: string; asOf: number; out: string; annualBaseRate: number; providers: string | undefined; history: { hcc: string; history: string } },
  onProgress: (stage: string, done: number, total: number) => void = () => undefined,
): Promise<AuditRiskSummary> {
  return writeAuditRisk(
    conn,
    {
      asOf: o.asOf,
      claims: 'claims',
      ...(o.providers !== undefined ? { providers: 'providers' } : { providersAbsent: `no providers.csv or providers.parquet in ${o.data}` }),
      hcc: o.history.hcc,
      history: o.history.history,
      annualBaseRate: o.annualBaseRate,
      out: o.out,
    },
    onProgress,
  );
}

/** The history of `rafcast audit-risk` (default <data>/history), checked to hold service year T-1. */
export const auditHistory = (o: Pick<RunAuditRiskOptions, 'data' | 'asOf' | 'history'>): { hcc: string; history: string } =>
  historyFiles(o.history ?? join(o.data, 'history'), Math.trunc(o.asOf) - 1);

export async function runAuditRisk(
  o: RunAuditRiskOptions,
  onProgress: (stage: string, done: number, total: number) => void = () => undefined,
): Promise<RunAuditRiskSummary> {
  requireBaseRate(o.annualBaseRate);
  const T = Math.trunc(o.asOf);
  const history = auditHistory(o);
  findDataFiles(o.data);
  const db = await openWorkDb(o.out, o.memoryLimit);
  try {
    const { loaded, providers } = await loadClaimsAndProviders(db.conn, o.data, o.out, onProgress);
    const summary = await auditRiskOn(db.conn, { data: o.data, asOf: T, out: o.out, annualBaseRate: o.annualBaseRate, providers, history }, onProgress);
    const rejected = loaded.filter((l) => l.rejected > 0);
    return { ...summary, rejectedRows: Object.fromEntries(rejected.map((l) => [basename(l.file), l.rejected])), quarantine: rejected.map((l) => l.quarantine) };
  } finally {
    await db.close();
  }
}
