// `rafcast audit-risk`'s work on an open DuckDB connection (issue 17, "Overuse alerts"): the
// alerts of payment year T (audit-sql.ts), each priced through the suspects' pricing
// (suspect-value.ts priceSuspects): the member's payment of T with the HCC minus without it, on
// K = the member's V28 HCCs of T-1 with the lower HCCs their claims also map to (so that losing a
// severity level falls back to the level below, as a review that supports only the lower one
// pays), demographics of T-1's history row, V28 alone with payment year T's figures. Written as
// alerts.csv (one row per member, HCC and rule) and a summary by rule (audit-risk-summary.json and
// .txt, no member id). A rule that cannot be evaluated (no providers file) is reported so, with why.
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { writeFileAtomically } from '../../data/atomic-file.ts';
import { copyAtomically, sqlString } from '../../data/duckdb.ts';
import { AUDIT_RULE_NAMES, loadAuditRules, type AuditRuleName, type AuditRules } from '../../data/reference/audit-rules.ts';
import { dollars as money } from '../format.ts';
import { priceSuspects, suspectPricing } from '../suspects/suspect-value.ts';
import { createAlerts, createAuditRuleTables, createSupportTables, type AuditSources } from './audit-sql.ts';

export const AUDIT_RISK_FILES = ['alerts.csv', 'audit-risk-summary.json', 'audit-risk-summary.txt'] as const;

export interface AuditRiskInputs extends AuditSources {
  /** raf_history of the same history (the demographics of T-1). */
  history: string;
  /** Why the providers file is absent (set when `providers` is not). */
  providersAbsent?: string;
  annualBaseRate: number;
  out: string;
  /** The rules (default: data/reference/audit-risk, checked against the V28 tables priced with). */
  rules?: AuditRules;
  pricingChunk?: number;
}

export interface RuleSummary {
  rule: AuditRuleName;
  evaluated: boolean;
  reason?: string;
  alerts: number;
  members: number;
  /** Sum of the alerts' dollars (a year of payment, T). */
  dollars: number;
  source: string;
}

export interface AuditRiskSummary {
  asOf: number;
  serviceYear: number;
  paymentYear: number;
  factorsYear: number;
  annualBaseRate: number;
  /** V28 HCCs of T-1 examined (member-HCC pairs). */
  codedHccs: number;
  alerts: number;
  /** Member-HCC pairs with at least one alert, and their dollars counted once. */
  flaggedHccs: number;
  members: number;
  dollarsAtStake: number;
  unpricedMembers: number;
  rules: RuleSummary[];
  files: string[];
}

export function auditRiskText(s: AuditRiskSummary): string {
  const lines = [
    `audit risk of payment year ${s.paymentYear} (V28 HCCs of service year ${s.serviceYear}): ${s.codedHccs} coded HCCs, ${s.flaggedHccs} flagged among ${s.members} members, ${money(s.dollarsAtStake)} at stake`,
    `priced for payment year ${s.paymentYear}${s.factorsYear !== s.paymentYear ? ` with ${s.factorsYear}'s factors` : ''} on V28 alone, base rate ${money(s.annualBaseRate)} a year` +
      (s.unpricedMembers > 0 ? `; ${s.unpricedMembers} members without a history row in ${s.serviceYear - 1} or ${s.serviceYear} are listed unpriced` : ''),
  ];
  for (const r of s.rules) lines.push(r.evaluated ? `  ${r.rule}: ${r.alerts} alerts, ${r.members} members, ${money(r.dollars)}` : `  ${r.rule}: not evaluated (${r.reason})`);
  return `${lines.join('\n')}\n`;
}

/** Finds, prices and writes the alerts of payment year asOf (module comment). */
export async function writeAuditRisk(
  conn: DuckDBConnection,
  o: AuditRiskInputs,
  onProgress: (stage: string, done: number, total: number) => void = () => undefined,
): Promise<AuditRiskSummary> {
  const T = Math.trunc(o.asOf);
  const pricing = suspectPricing(T - 1, o.annualBaseRate);
  const rules = o.rules ?? loadAuditRules(pricing.v28);
  onProgress('finding alerts', 0, 1);
  await createAuditRuleTables(conn, rules, pricing.v28);
  await createSupportTables(conn, o);
  await createAlerts(conn, o);
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _ar_k AS
     SELECT member_id, hcc FROM _ar_coded WHERE member_id IN (SELECT member_id FROM _ar_alerts)
     UNION SELECT member_id, cc FROM _ar_claim_cc
     WHERE member_id IN (SELECT member_id FROM _ar_alerts) AND cc IN (${pricing.v28.paymentHccs.join(', ')})`,
  );
  const { unpriced } = await priceSuspects(conn, o.history, T - 1, pricing, (d, n) => onProgress('pricing alerts', d, n), o.pricingChunk, {
    priced: '(SELECT DISTINCT member_id, hcc FROM _ar_alerts)',
    coded: '_ar_k',
    latestYear: T - 1,
    into: '_ar_values',
  });
  const labels = [...pricing.v28.labels].map(([h, l]) => `(${h}, ${sqlString(l)})`).join(', ');
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _ar_out AS
     SELECT a.member_id, a.hcc, l.description, a.rule, a.claim_id, a.provider_npi, a.service_date, a.claim_type, a.record_source, a.detail,
            round(v.score_with, 3) AS score_with, round(v.score_without, 3) AS score_without, v.dollars::DECIMAL(18, 2) AS dollars
     FROM _ar_alerts a LEFT JOIN _ar_values v USING (member_id, hcc) LEFT JOIN (VALUES ${labels}) l(hcc, description) USING (hcc)`,
  );
  onProgress('writing alerts.csv', 0, 1);
  await copyAtomically(conn, `SELECT * FROM _ar_out ORDER BY dollars DESC NULLS LAST, member_id, hcc, rule`, join(o.out, 'alerts.csv'), 'csv');

  const byRule = (await conn.runAndReadAll(
    `SELECT rule, count(*)::BIGINT AS n, count(DISTINCT member_id)::BIGINT AS members, coalesce(sum(dollars), 0)::DOUBLE AS dollars FROM _ar_out GROUP BY rule`,
  )).getRowObjectsJson();
  const totals = (await conn.runAndReadAll(
    `SELECT (SELECT count(*) FROM _ar_coded)::BIGINT AS coded, (SELECT count(*) FROM _ar_out)::BIGINT AS alerts,
            count(*)::BIGINT AS flagged, count(DISTINCT member_id)::BIGINT AS members, coalesce(sum(dollars), 0)::DOUBLE AS dollars
     FROM (SELECT DISTINCT member_id, hcc, dollars FROM _ar_out)`,
  )).getRowObjectsJson()[0]!;
  const cents = (x: unknown): number => Math.round(Number(x) * 100) / 100;
  const summary: AuditRiskSummary = {
    asOf: T,
    serviceYear: T - 1,
    paymentYear: T,
    factorsYear: pricing.factorsYear,
    annualBaseRate: o.annualBaseRate,
    codedHccs: Number(totals.coded),
    alerts: Number(totals.alerts),
    flaggedHccs: Number(totals.flagged),
    members: Number(totals.members),
    dollarsAtStake: cents(totals.dollars),
    unpricedMembers: unpriced,
    rules: AUDIT_RULE_NAMES.map((rule): RuleSummary => {
      const g = byRule.find((r) => r.rule === rule);
      const notEvaluated = rule === 'unacceptable_specialty' && o.providers === undefined;
      return {
        rule,
        evaluated: !notEvaluated,
        ...(notEvaluated ? { reason: o.providersAbsent ?? 'no providers file' } : {}),
        alerts: Number(g?.n ?? 0),
        members: Number(g?.members ?? 0),
        dollars: cents(g?.dollars ?? 0),
        source: rules.rules.find((r) => r.rule === rule)!.source,
      };
    }),
    files: AUDIT_RISK_FILES.map((f) => join(o.out, f)),
  };
  await writeFileAtomically(join(o.out, 'audit-risk-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFileAtomically(join(o.out, 'audit-risk-summary.txt'), auditRiskText(summary));
  return summary;
}
