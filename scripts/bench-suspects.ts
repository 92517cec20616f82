// The bench's suspects steps (bench-steps.ts; issue 17: suspects on 1,000,000 members in under 2
// minutes and 6 GiB). `known-history` prepares what `rafcast suspects` reads on the bench's plan
// (the generate and history steps' .bench/synthetic-<n> and .bench/history-<n>): the pharmacy and
// labs files, when the plan lacks them (the generate step writes none, to time what it always
// timed: the plan is generated again with them, same seed, and its members, enrollment, claims and
// truth come out byte for byte as before, data/synthetic/README.md), and the history as known on
// 2025-01-01 for 2023-2025, timed. `suspects` times runSuspects at as-of 2025 with that known
// history passed in (--known-history), as a run that kept it would: checking members, pharmacy and
// labs, the rules, pricing, the backtest's confirmation against the complete history, the files.
// `audit-risk` times runAuditRisk; `providers` times runProviders with the suspects and audit-risk
// steps' folders passed in (--suspects, --audit-risk); `providers-inside` with the alerts computed inside.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generatePopulation } from '../pipelines/generate-population.ts';
import { computeKnownHistory } from '../features/known-history.ts';
import { runSuspects } from '../evaluation/suspects/run-suspects.ts';
import { runProviders } from '../evaluation/providers/run-providers.ts';
import { runAuditRisk } from '../evaluation/audit-risk/run-audit-risk.ts';
import { DEMO_BASE_RATE_ANNUAL } from '../scoring/revenue.ts';
import { DEFAULT_MEMORY_LIMIT } from '../data/staged-contract.ts';

const AS_OF = 2025;
const CUTOFF = '2025-01-01';

const gib = (): string => `${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(2)} GiB`;
const paths = (n: number, dir: string) => ({
  data: join(dir, `synthetic-${n}`),
  history: join(dir, `history-${n}`),
  known: join(dir, `known-history-${AS_OF}-${n}`),
  out: join(dir, `suspects-${AS_OF}-${n}`),
  audit: join(dir, `audit-risk-${AS_OF}-${n}`),
});

/** The evidence files (when missing) and the known history T-2..T; prints the known history's time. */
export async function prepareSuspects(n: number, dir: string): Promise<void> {
  const p = paths(n, dir);
  if (!existsSync(join(p.history, 'history.json'))) throw new Error(`${p.history} is missing: run the generate and history steps first`);
  let regenerated = '';
  if (!existsSync(join(p.data, 'pharmacy.parquet')) || !existsSync(join(p.data, 'labs.parquet'))) {
    // The generate step's options, with the evidence files: its other files come out the same bytes.
    const t0 = performance.now();
    await generatePopulation({ members: n, firstYear: 2021, lastYear: 2025, seed: 2021, out: p.data, evidence: true });
    regenerated = `; the plan generated again with pharmacy and labs first (${((performance.now() - t0) / 1000).toFixed(1)} s, not in the time; in the peak RSS)`;
  }
  rmSync(p.known, { recursive: true, force: true });
  const t0 = performance.now();
  const s = await computeKnownHistory({ data: p.data, history: p.history, asOf: AS_OF, dataThrough: CUTOFF, out: p.known, throughAsOf: true });
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `the history as known on ${CUTOFF} for ${AS_OF - 2}-${AS_OF} (what rafcast suspects computes without --known-history; DuckDB limit ${DEFAULT_MEMORY_LIMIT}): ` +
      `${Math.round(s.memberYears / seconds).toLocaleString('en-US')} member-years/s (${s.memberYears.toLocaleString('en-US')} member-years, ${seconds.toFixed(1)} s), peak RSS ${gib()}${regenerated}`,
  );
}

/** runSuspects at as-of 2025 on the prepared plan, timed; prints seconds, peak RSS and what it found. */
export async function benchSuspects(n: number, dir: string): Promise<void> {
  const p = paths(n, dir);
  if (!existsSync(join(p.known, 'history.json'))) throw new Error(`${p.known} is missing: run the known-history step first`);
  rmSync(p.out, { recursive: true, force: true });
  mkdirSync(p.out, { recursive: true, mode: 0o700 });
  const t0 = performance.now();
  const s = await runSuspects({ data: p.data, asOf: AS_OF, out: p.out, annualBaseRate: DEMO_BASE_RATE_ANNUAL, history: p.history, knownHistory: p.known });
  const seconds = (performance.now() - t0) / 1000;
  const members = s.loaded.find((l) => l.table === 'members')?.accepted ?? 0;
  const rows = s.loaded.filter((l) => l.table !== 'members').map((l) => `${l.table} ${l.read.toLocaleString('en-US')} rows (${l.rejected} rejected)`);
  const found = s.evidence.map((e) => `${e.type} ${e.available ? e.suspects.toLocaleString('en-US') : 'absent'}`);
  console.log(
    `rafcast suspects at as-of ${AS_OF} with --known-history (checking ${rows.join(', ') || 'no evidence file'}; DuckDB limit ${DEFAULT_MEMORY_LIMIT}): ` +
      `${Math.round(members / seconds).toLocaleString('en-US')} members/s (${members.toLocaleString('en-US')} members, ${seconds.toFixed(1)} s), peak RSS ${gib()}; ` +
      `${s.suspects.toLocaleString('en-US')} suspects (${found.join(', ')})`,
  );
}

/** runAuditRisk at as-of 2025 on the prepared plan (its alerts folder is the providers step's --audit-risk), timed. */
export async function benchAuditRisk(n: number, dir: string): Promise<void> {
  const p = paths(n, dir);
  if (!existsSync(join(p.history, 'history.json'))) throw new Error(`${p.history} is missing: run the generate and history steps first`);
  rmSync(p.audit, { recursive: true, force: true });
  mkdirSync(p.audit, { recursive: true, mode: 0o700 });
  const t0 = performance.now();
  const s = await runAuditRisk({ data: p.data, asOf: AS_OF, out: p.audit, annualBaseRate: DEMO_BASE_RATE_ANNUAL, history: p.history });
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `rafcast audit-risk at as-of ${AS_OF} (loading and checking members, claims and providers, the alerts of the HCCs of ${AS_OF - 1}, pricing; DuckDB limit ${DEFAULT_MEMORY_LIMIT}): ` +
      `${Math.round(s.members / seconds).toLocaleString('en-US')} flagged members/s (${s.members.toLocaleString('en-US')} flagged members, ${seconds.toFixed(1)} s), peak RSS ${gib()}; ${s.flaggedHccs.toLocaleString('en-US')} flagged HCCs`,
  );
}

/**
 * runProviders at as-of 2025 on the prepared plan, timed, with the suspects step's folder passed in
 * (--suspects) and, for `providers`, the audit-risk step's (--audit-risk): loading and checking
 * members, claims and providers, attribution, the views per clinician and practice, the worklists.
 * `providers-inside` computes the overuse alerts inside instead (rafcast providers --suspects).
 * Prints seconds and peak RSS.
 */
export async function benchProviders(n: number, dir: string, alertsInside: boolean): Promise<void> {
  const p = paths(n, dir);
  if (!existsSync(join(p.out, 'suspects.csv'))) throw new Error(`${p.out} is missing: run the suspects step first`);
  if (!alertsInside && !existsSync(join(p.audit, 'alerts.csv'))) throw new Error(`${p.audit} is missing: run the audit-risk step first`);
  const out = join(dir, `providers-${AS_OF}-${n}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true, mode: 0o700 });
  const t0 = performance.now();
  const s = await runProviders({ data: p.data, asOf: AS_OF, out, annualBaseRate: DEMO_BASE_RATE_ANNUAL, history: p.history, suspects: p.out, ...(alertsInside ? {} : { auditRisk: p.audit }) });
  const seconds = (performance.now() - t0) / 1000;
  const members = s.membersAttributed;
  const how = alertsInside ? 'with --suspects (the overuse alerts of rafcast audit-risk computed inside, on the same checked claims)' : 'with --suspects and --audit-risk';
  console.log(
    `rafcast providers at as-of ${AS_OF} ${how} (loading and checking members, claims and providers, attribution, per clinician and practice, the worklists; DuckDB limit ${DEFAULT_MEMORY_LIMIT}): ` +
      `${Math.round(members / seconds).toLocaleString('en-US')} members/s (${members.toLocaleString('en-US')} attributed members, ${seconds.toFixed(1)} s), peak RSS ${gib()}; ${s.clinicians.toLocaleString('en-US')} clinicians, ${s.membersSeen.toLocaleString('en-US')} members seen`,
  );
}
