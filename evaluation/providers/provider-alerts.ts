// The provider view's overuse (audit-risk) alerts (issue 17, "Provider view": worklists with
// "open drop-offs, suspects and overuse alerts"), from the rows of `rafcast audit-risk`
// (evaluation/audit-risk/, the one place the rules are: alerts.csv, one row per member, HCC and
// rule, the HCC's dollars at stake on each of its rows). Two readings, both SQL over those rows:
// - per member (the worklists): each flagged HCC once, its rules, claims and dollars;
// - per clinician and practice: the alerts whose claim the clinician rendered (the NPI on the
//   alert's claim, the one who coded it, not the member's attributed clinician), counted, and the
//   dollars of their member-HCCs counted once (an HCC flagged by several rules is at stake once).
// Audit dollars are dollars the plan may have to give back for payment year T (the HCCs of T-1),
// not dollars to gain: they are kept apart from the open and suspect dollars and do not order
// anything but ties.
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../data/duckdb.ts';

/** alerts.csv of `rafcast audit-risk` as the relation the provider view reads (columns of _ar_out there). */
export function alertsRelationSql(csv: string): string {
  return `(SELECT member_id, hcc::INTEGER AS hcc, description, rule, claim_id, nullif(provider_npi, '') AS provider_npi, detail,
            nullif(dollars, '')::DECIMAL(18, 2) AS dollars
     FROM read_csv(${sqlString(csv)}, header = true, all_varchar = true,
       columns = {'member_id': 'VARCHAR', 'hcc': 'VARCHAR', 'description': 'VARCHAR', 'rule': 'VARCHAR', 'claim_id': 'VARCHAR', 'provider_npi': 'VARCHAR',
                  'service_date': 'VARCHAR', 'claim_type': 'VARCHAR', 'record_source': 'VARCHAR', 'detail': 'VARCHAR', 'score_with': 'VARCHAR',
                  'score_without': 'VARCHAR', 'dollars': 'VARCHAR'}))`;
}

/**
 * Creates _prov_alert_items (member_id, hcc, description, rules, detail, alerts, dollars): each
 * flagged member-HCC once, its rules joined by '|', each alert's claim, coding NPI and detail.
 */
export async function createAlertItems(conn: DuckDBConnection, alerts: string): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _prov_alert_items AS
     SELECT member_id, hcc, any_value(description) AS description, string_agg(DISTINCT rule, '|' ORDER BY rule) AS rules,
            string_agg(DISTINCT 'claim ' || claim_id || coalesce(' by ' || provider_npi, '') || ': ' || coalesce(detail, ''), '; ' ORDER BY 'claim ' || claim_id || coalesce(' by ' || provider_npi, '') || ': ' || coalesce(detail, '')) AS detail,
            count(*) AS alerts, max(dollars)::DECIMAL(18, 2) AS dollars
     FROM ${alerts} GROUP BY member_id, hcc`,
  );
  await conn.run(`CREATE OR REPLACE TEMP TABLE _prov_alert_rows AS SELECT member_id, hcc, provider_npi, dollars FROM ${alerts}`);
}

/**
 * audit_alerts and audit_dollars by `key`, from `keyed` (key, member_id, hcc, dollars: alert rows
 * with the key of their claim's NPI): alerts counted, each member-HCC's dollars once per key.
 */
export const auditByKeySql = (keyed: string): string => `
  SELECT key, sum(n)::BIGINT AS audit_alerts, coalesce(sum(dollars), 0)::DECIMAL(18, 2) AS audit_dollars
  FROM (SELECT key, member_id, hcc, count(*) AS n, max(dollars) AS dollars FROM ${keyed} GROUP BY key, member_id, hcc) GROUP BY key`;

/** The worklist's overuse_alerts cell of a member (aggregate over _prov_alert_items `x`), most dollars first. */
export const overuseAlertsCell = `string_agg('HCC ' || x.hcc || ' ' || coalesce(x.description, '') || ': ' || coalesce('$' || printf('%.2f', x.dollars), 'unpriced') || ' (' || x.rules || '; ' || x.detail || ')', ' | '
     ORDER BY x.dollars DESC NULLS LAST, x.hcc)`;
