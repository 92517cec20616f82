// DE-SynPUF's Prescription Drug Events into the contract's optional pharmacy file (issue 17;
// columns as CMS's DE-SynPUF codebook names them: data/adapters/README.md). A fill is rejected
// where the contract's pharmacy checks (data/contract.ts PHARMACY) would reject it, so the file
// written loads whole; with no ATC class in the file, a fill without an 11-digit NDC has no drug at
// all. What the file lacks gets a documented default (pharmacyDefaults).
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../duckdb.ts';
import { DATE_RANGES } from '../contract.ts';
import { DATE, readCsv } from './desynpuf-csv.ts';
import type { ImportDefault } from './desynpuf.ts';

/**
 * Creates _pde_in (the file's rows, typed; empty without a file) and _pde_checked (with `problem`,
 * 'COLUMN|reason' or NULL), checked against the imported members (_members, on `conn`).
 */
export async function createPdeTables(conn: DuckDBConnection, file: string | undefined): Promise<void> {
  const service = DATE_RANGES.service;
  await conn.run(
    file
      ? `CREATE TEMP TABLE _pde_in AS
         SELECT ${sqlString(file)} AS file, _row, nullif(trim(PDE_ID), '') AS pde_id, nullif(trim(DESYNPUF_ID), '') AS member_id,
                ${DATE('SRVC_DT')} AS fill_date, trim(PROD_SRVC_ID) AS ndc,
                CASE WHEN regexp_full_match(trim(DAYS_SUPLY_NUM), '[0-9]{1,9}') THEN trim(DAYS_SUPLY_NUM)::INTEGER END AS days_supply,
                CASE WHEN regexp_full_match(trim(TOT_RX_CST_AMT), '-?[0-9]{1,12}([.][0-9]{1,2})?') THEN trim(TOT_RX_CST_AMT)::DECIMAL(14,2) END AS paid
         FROM ${readCsv(file)}`
      : `CREATE TEMP TABLE _pde_in (file VARCHAR, _row BIGINT, pde_id VARCHAR, member_id VARCHAR, fill_date DATE, ndc VARCHAR, days_supply INTEGER, paid DECIMAL(14,2))`,
  );
  await conn.run(
    `CREATE TEMP TABLE _pde_checked AS
     SELECT p.*, CASE
       WHEN p.pde_id IS NULL THEN 'PDE_ID|is required'
       WHEN p.member_id IS NULL THEN 'DESYNPUF_ID|is required'
       WHEN m.member_id IS NULL THEN 'DESYNPUF_ID|the member is in no imported beneficiary row'
       WHEN p.fill_date IS NULL THEN 'SRVC_DT|expected a date YYYYMMDD'
       WHEN p.fill_date NOT BETWEEN DATE '${service.earliest}' AND DATE '${service.latest}' THEN 'SRVC_DT|expected a date from ${service.earliest} to ${service.latest}'
       WHEN p.fill_date < m.birth_date THEN 'SRVC_DT|is before the member''s BENE_BIRTH_DT'
       WHEN NOT regexp_full_match(coalesce(p.ndc, ''), '[0-9]{11}') THEN 'PROD_SRVC_ID|expected an 11-digit NDC (the file has no drug class to fall back on)'
       WHEN p.days_supply IS NULL OR p.days_supply NOT BETWEEN 1 AND 365 THEN 'DAYS_SUPLY_NUM|expected a whole number of days from 1 to 365'
       WHEN p.paid IS NULL THEN 'TOT_RX_CST_AMT|expected an amount'
       WHEN p.paid < 0 THEN 'TOT_RX_CST_AMT|is negative'
       WHEN count(*) OVER (PARTITION BY p.pde_id) > 1 THEN 'PDE_ID|appears twice'
     END AS problem
     FROM _pde_in p LEFT JOIN _members m ON m.member_id = p.member_id`,
  );
}

/**
 * The pharmacy file's rows: the contract's pharmacy columns the file has; received_date, atc_code
 * and prescriber_npi are absent (blank), as pharmacyDefaults records.
 */
export const PHARMACY_SQL = `SELECT pde_id AS fill_id, member_id, fill_date, ndc, days_supply, paid AS paid_amount
   FROM _pde_checked WHERE problem IS NULL ORDER BY member_id, fill_date, pde_id`;

/** The pharmacy file's defaults (import.json), over its `fills` rows. */
export function pharmacyDefaults(fills: number): ImportDefault[] {
  return [
    {
      table: 'pharmacy',
      field: 'paid_amount',
      value: 'TOT_RX_CST_AMT',
      rule: "the gross drug cost (plan and patient shares together) stands for the amount paid: the file gives the patient's share (PTNT_PAY_AMT) but not the plan's",
      rows: fills,
    },
    {
      table: 'pharmacy',
      field: 'atc_code',
      value: 'blank',
      rule: 'DE-SynPUF names the drug by NDC alone (PROD_SRVC_ID) and rafcast holds no NDC-to-ATC table: its fills give no medication evidence, whose rules match atc_code',
      rows: fills,
    },
    { table: 'pharmacy', field: 'prescriber_npi', value: 'blank', rule: 'DE-SynPUF Prescription Drug Events name no prescriber', rows: fills },
    {
      table: 'pharmacy',
      field: 'received_date',
      value: 'blank: received on fill_date',
      rule: 'DE-SynPUF carries no date of receipt or payment: each fill counts as known on its fill_date',
      rows: fills,
    },
  ];
}
