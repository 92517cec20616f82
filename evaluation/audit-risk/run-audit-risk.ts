// `rafcast audit-risk` from a data folder (issue 17, "Overuse alerts"): the contract's members,
// enrollment and claims, and the providers file when the plan has one, loaded and checked as by
// `rafcast load` (data/staged-contract.ts; the rejected rows, with their reasons, go to
// <out>/<table>.rejected.csv, as `rafcast history` writes them, and are counted in the summary), the history's raf_hcc and raf_history (`rafcast
// history`, which must hold service year T-1), then writeAuditRisk (audit-risk.ts). At a million
// members the work is DuckDB over the staged Parquet and pricing PRICING_CHUNK members at a time.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findDataFiles, findOptionalDataFiles } from '../../data/contract-files.ts';
import { ConfigError } from '../../data/errors.ts';
import { sqlString } from '../../data/duckdb.ts';
import { loadStagedContract, openWorkDb } from '../../data/staged-contract.ts';
import { requireBaseRate } from '../../scoring/revenue.ts';
import { writeAuditRisk, type AuditRiskSummary } from './audit-risk.ts';

export interface RunAuditRiskOptions {
  /** The contract's files (members, enrollment, claims; providers when the plan has it). */
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

export async function runAuditRisk(
  o: RunAuditRiskOptions,
  onProgress: (stage: string, done: number, total: number) => void = () => undefined,
): Promise<RunAuditRiskSummary> {
  requireBaseRate(o.annualBaseRate);
  const T = Math.trunc(o.asOf);
  const hist = historyFiles(o.history ?? join(o.data, 'history'), T - 1);
  const required = findDataFiles(o.data);
  const providers = findOptionalDataFiles(o.data).providers;
  const db = await openWorkDb(o.out, o.memoryLimit);
  try {
    const loaded = await loadStagedContract(db.conn, { ...required, ...(providers !== undefined ? { providers } : {}) }, db.work, {
      rejectedDir: o.out,
      onTable: (name) => onProgress(`loading ${name}`, 0, 1),
    });
    const summary = await writeAuditRisk(
      db.conn,
      {
        asOf: T,
        claims: 'claims',
        ...(providers !== undefined ? { providers: 'providers' } : { providersAbsent: `no providers.csv or providers.parquet in ${o.data}` }),
        hcc: hist.hcc,
        history: hist.history,
        annualBaseRate: o.annualBaseRate,
        out: o.out,
      },
      onProgress,
    );
    const rejected = loaded.filter((l) => l.rejected > 0);
    return { ...summary, rejectedRows: Object.fromEntries(rejected.map((l) => [basename(l.file), l.rejected])), quarantine: rejected.map((l) => l.quarantine) };
  } finally {
    await db.close();
  }
}
