// `rafcast import desynpuf`: the CMS 2008-2010 DE-SynPUF beneficiary and claims files into the
// input contract (data/README.md). ICD-9-CM diagnoses become ICD-10-CM through the 2018 GEM
// (data/reference/gem; the rules for one-to-many mappings are in data/adapters/README.md), the
// Prescription Drug Events file, where the folder has one, becomes the optional pharmacy file
// (issue 17), what the files lack gets a documented default flagged in flags.parquet and
// import.json, and every input row is accounted for: imported, or in import.rejected.csv with its
// file, row, field and reason.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import { writeFileAtomically } from '../atomic-file.ts';
import { copyAtomically, openDuckDb, sqlString } from '../duckdb.ts';
import { ConfigError, InputError } from '../errors.ts';
import { DATE, readCsv } from './desynpuf-csv.ts';
import { PHARMACY_SQL, createPdeTables, pharmacyDefaults } from './desynpuf-pde.ts';

export const GEM_PATH = fileURLToPath(new URL('../reference/gem/icd-gem-2018-convert-9-to-10.txt', import.meta.url));
const GEM_SHA256 = '0b24fd28de341bdbac2930609fd3dc480d6ec278b3bdae2e53ac5ccf7f89b230';

export interface DesynpufFiles {
  /** Beneficiary summary files by calendar year. */
  beneficiaries: { year: number; path: string }[];
  inpatient?: string;
  outpatient?: string;
  /** The Prescription Drug Events (Part D) file, imported as the contract's optional pharmacy file. */
  pharmacy?: string;
  /** Files in the folder that rafcast does not import (carrier), named in the summary. */
  ignored: string[];
}

/** Finds the DE-SynPUF files in a folder by their CMS names. */
export function findDesynpufFiles(dir: string): DesynpufFiles {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    throw new ConfigError(`cannot read the folder ${dir}`);
  }
  const files: DesynpufFiles = { beneficiaries: [], ignored: [] };
  for (const name of names) {
    if (!name.toLowerCase().endsWith('.csv')) continue;
    const path = join(dir, name);
    const bene = /_(\d{4})_Beneficiary_Summary_File/i.exec(name);
    if (bene) files.beneficiaries.push({ year: Number(bene[1]), path });
    else if (/Inpatient_Claims/i.test(name)) files.inpatient = path;
    else if (/Outpatient_Claims/i.test(name)) files.outpatient = path;
    else if (/Prescription_Drug_Events/i.test(name)) files.pharmacy = path;
    else files.ignored.push(name);
  }
  if (files.beneficiaries.length === 0) {
    throw new ConfigError(`${dir} has no DE-SynPUF beneficiary summary file (DE1_0_<year>_Beneficiary_Summary_File_Sample_<n>.csv)`);
  }
  return files;
}

/** A default given to a field the files lack, as recorded in import.json and flags.parquet. */
export interface ImportDefault {
  table: 'members' | 'enrollment' | 'claims' | 'pharmacy';
  field: string;
  value: string;
  rule: string;
  rows: number;
}

export interface FileCount {
  file: string;
  read: number;
  imported: number;
  rejected: number;
}

export interface DiagnosisConversion {
  /** ICD-9 diagnosis entries on the claims read (blank entries are not diagnoses). */
  icd9: number;
  /** Entries converted to one ICD-10-CM code, and to several (a GEM combination). */
  toOne: number;
  toSeveral: number;
  /** Entries with no ICD-10-CM equivalent in the GEM ("no map"), and codes the GEM does not list. */
  noMap: number;
  notInGem: number;
  /** Entries whose code had several alternative targets, resolved by the documented rule. */
  choseAmongAlternatives: number;
  /** Of the converted, entries whose code the GEM lacks but whose subcodes it has. */
  viaSubcode: number;
  /** The most frequent codes not converted, with counts (codes are not member data). */
  topNotConverted: { code: string; count: number }[];
}

export interface DesynpufImport {
  files: FileCount[];
  members: number;
  memberYears: number;
  claims: number;
  /** Prescription fills imported into pharmacy.parquet (0 when the folder has no PDE file). */
  fills: number;
  defaults: ImportDefault[];
  diagnoses: DiagnosisConversion;
  ignored: string[];
  outputs: string[];
}

/** Reads the GEM, checking it is the bundled file. */
function gemText(): string {
  const text = readFileSync(GEM_PATH, 'utf8');
  const sha = createHash('sha256').update(text).digest('hex');
  if (sha !== GEM_SHA256) throw new ConfigError(`${GEM_PATH} is not the bundled GEM (sha256 ${sha})`);
  return text;
}

/**
 * `_gem(icd9, icd10 VARCHAR[], kind)`: each ICD-9 code's ICD-10 codes by the rules of
 * data/adapters/README.md; kind is 'one', 'alternatives', 'combination' or 'no map'.
 */
async function createGemTable(conn: DuckDBConnection): Promise<void> {
  const rows = gemText()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((p) => p.length === 3);
  await conn.run(`CREATE TEMP TABLE _gem_raw (icd9 VARCHAR, icd10 VARCHAR, flags VARCHAR)`);
  for (let k = 0; k < rows.length; k += 4000) {
    const part = rows.slice(k, k + 4000).map(([a, b, f]) => `(${sqlString(a!)}, ${sqlString(b!)}, ${sqlString(f!)})`);
    await conn.run(`INSERT INTO _gem_raw VALUES ${part.join(', ')}`);
  }
  // The least specific target first: length, then the code (an ICD-9 code carries no detail that
  // a longer ICD-10 code would add).
  await conn.run(
    `CREATE TEMP TABLE _gem AS
     WITH g AS (SELECT icd9, icd10, substr(flags, 2, 1) = '1' AS no_map, substr(flags, 3, 1) = '1' AS combination,
                       substr(flags, 4, 1)::INTEGER AS scenario, substr(flags, 5, 1)::INTEGER AS choice FROM _gem_raw),
     plain AS (
       SELECT icd9, [arg_min(icd10, (length(icd10), icd10))] AS icd10, CASE WHEN count(*) > 1 THEN 'alternatives' ELSE 'one' END AS kind
       FROM g WHERE NOT no_map AND NOT combination GROUP BY icd9),
     combo AS (
       SELECT icd9, list(icd10 ORDER BY choice) AS icd10, 'combination' AS kind FROM (
         SELECT icd9, choice, arg_min(icd10, (length(icd10), icd10)) AS icd10 FROM g
         WHERE combination AND scenario = (SELECT min(scenario) FROM g g2 WHERE g2.icd9 = g.icd9 AND g2.combination)
         GROUP BY icd9, choice) GROUP BY icd9),
     nomap AS (SELECT DISTINCT icd9, []::VARCHAR[] AS icd10, 'no map' AS kind FROM g WHERE no_map)
     SELECT * FROM plain
     UNION ALL SELECT * FROM combo WHERE icd9 NOT IN (SELECT icd9 FROM plain)
     UNION ALL SELECT * FROM nomap WHERE icd9 NOT IN (SELECT icd9 FROM plain) AND icd9 NOT IN (SELECT icd9 FROM combo)`,
  );
}

/** Imports a DE-SynPUF folder into the contract's Parquet files in `out`. */
export async function importDesynpuf(inDir: string, out: string, onStage?: (stage: string) => void): Promise<DesynpufImport> {
  const files = findDesynpufFiles(inDir);
  await mkdir(out, { recursive: true, mode: 0o700 });
  const db = await openDuckDb();
  const conn = db.connection;
  try {
    onStage?.('reading the GEM');
    await createGemTable(conn);
    onStage?.('reading beneficiaries');
    // Every beneficiary row, with a reason when it cannot be imported.
    await conn.run(
      `CREATE TEMP TABLE _bene AS ${files.beneficiaries
        .map(
          (b) => `SELECT ${sqlString(b.path)} AS file, _row, ${b.year} AS year, nullif(trim(DESYNPUF_ID), '') AS member_id,
                    ${DATE('BENE_BIRTH_DT')} AS birth_date, ${DATE('BENE_DEATH_DT')} AS death_date,
                    nullif(trim(BENE_DEATH_DT), '') AS death_text, trim(BENE_SEX_IDENT_CD) AS sex_code,
                    trim(BENE_ESRD_IND) = 'Y' AS esrd,
                    greatest(try_cast(BENE_HI_CVRAGE_TOT_MONS AS INTEGER), try_cast(BENE_SMI_CVRAGE_TOT_MONS AS INTEGER)) AS months,
                    BENE_BIRTH_DT AS birth_text
                  FROM ${readCsv(b.path)}`,
        )
        .join(' UNION ALL ')}`,
    );
    await conn.run(
      `CREATE TEMP TABLE _bene_checked AS SELECT *, CASE
         WHEN member_id IS NULL THEN 'DESYNPUF_ID|is required'
         WHEN birth_date IS NULL THEN 'BENE_BIRTH_DT|expected a date YYYYMMDD'
         WHEN sex_code NOT IN ('1', '2') THEN 'BENE_SEX_IDENT_CD|expected 1 (male) or 2 (female)'
         WHEN death_text IS NOT NULL AND death_date IS NULL THEN 'BENE_DEATH_DT|expected a date YYYYMMDD'
         WHEN months IS NULL OR months NOT BETWEEN 0 AND 12 THEN 'BENE_HI_CVRAGE_TOT_MONS|expected 0 to 12 months of coverage'
         WHEN count(*) OVER (PARTITION BY member_id, year) > 1 THEN 'DESYNPUF_ID|appears twice in the year''s file'
       END AS problem FROM _bene`,
    );
    // A member: birth date and sex from the latest year's row, death from any; OREC by default
    // 1 (disability) when under 65 on January 1 of the first year in the files, else 0.
    await conn.run(
      `CREATE TEMP TABLE _members AS
       SELECT member_id, arg_max(birth_date, year) AS birth_date, CASE arg_max(sex_code, year) WHEN '1' THEN 'M' ELSE 'F' END AS sex,
              max(death_date) AS death_date, min(year) AS first_year, bool_or(esrd) AS esrd
       FROM _bene_checked WHERE problem IS NULL GROUP BY member_id`,
    );
    await conn.run(
      `ALTER TABLE _members ADD COLUMN orec VARCHAR;
       UPDATE _members SET orec = CASE WHEN date_diff('year', birth_date, make_date(first_year, 1, 1)) - CASE WHEN strftime(birth_date, '%m%d') > '0101' THEN 1 ELSE 0 END < 65 THEN '1' ELSE '0' END`,
    );

    onStage?.('reading claims');
    const claimSources: string[] = [];
    const claimFile = (path: string, type: 'inpatient' | 'outpatient'): string => {
      const dx = Array.from({ length: 10 }, (_, k) => `trim(ICD9_DGNS_CD_${k + 1})`).join(', ');
      const px = Array.from({ length: 45 }, (_, k) => `trim(HCPCS_CD_${k + 1})`).join(', ');
      return `SELECT ${sqlString(path)} AS file, _row, ${sqlString(type)} AS claim_type,
                nullif(trim(CLM_ID), '') AS clm_id, coalesce(nullif(trim(SEGMENT), ''), '1') AS segment, nullif(trim(DESYNPUF_ID), '') AS member_id,
                ${DATE('CLM_FROM_DT')} AS from_date, ${DATE('CLM_THRU_DT')} AS thru_date,
                try_cast(CLM_PMT_AMT AS DECIMAL(14,2)) AS paid, nullif(trim(CLM_PMT_AMT), '') AS paid_text,
                CASE WHEN regexp_full_match(trim(AT_PHYSN_NPI), '[0-9]{10}') THEN trim(AT_PHYSN_NPI) END AS npi,
                list_filter([${dx}], x -> coalesce(x, '') <> '') AS icd9,
                list_filter([${px}], x -> coalesce(x, '') <> '') AS procedures
              FROM ${readCsv(path)}`;
    };
    if (files.inpatient) claimSources.push(claimFile(files.inpatient, 'inpatient'));
    if (files.outpatient) claimSources.push(claimFile(files.outpatient, 'outpatient'));
    if (claimSources.length === 0) {
      await conn.run(
        `CREATE TEMP TABLE _claims_in (file VARCHAR, _row BIGINT, claim_type VARCHAR, clm_id VARCHAR, segment VARCHAR, member_id VARCHAR,
           from_date DATE, thru_date DATE, paid DECIMAL(14,2), paid_text VARCHAR, npi VARCHAR, icd9 VARCHAR[], procedures VARCHAR[])`,
      );
    } else {
      await conn.run(`CREATE TEMP TABLE _claims_in AS ${claimSources.join(' UNION ALL ')}`);
    }
    // Each ICD-9 entry of a claim, in order, with its ICD-10 codes.
    // A code the 2018 GEM lacks because ICD-9 later split it (2766 into 27660-27669, say) takes
    // the targets of its first subcode that has any.
    await conn.run(
      `CREATE TEMP TABLE _dx AS
       WITH d AS (SELECT file, _row, generate_subscripts(icd9, 1) AS pos, unnest(icd9) AS icd9 FROM _claims_in),
       codes AS (SELECT DISTINCT upper(replace(icd9, '.', '')) AS code FROM d),
       exact AS (SELECT c.code, g.icd10, g.kind FROM codes c JOIN _gem g ON g.icd9 = c.code),
       sub AS (
         SELECT c.code, arg_min(g.icd10, g.icd9) AS icd10, 'subcode' AS kind
         FROM codes c JOIN _gem g ON starts_with(g.icd9, c.code) AND g.icd9 <> c.code AND len(g.icd10) > 0
         WHERE c.code NOT IN (SELECT code FROM exact) GROUP BY c.code),
       resolved AS (SELECT * FROM exact UNION ALL SELECT * FROM sub)
       SELECT d.file, d._row, d.pos, d.icd9, r.icd10, coalesce(r.kind, 'not in GEM') AS kind
       FROM d LEFT JOIN resolved r ON r.code = upper(replace(d.icd9, '.', ''))`,
    );
    await conn.run(
      `CREATE TEMP TABLE _claims_checked AS
       SELECT c.*, coalesce(x.icd10, []::VARCHAR[]) AS icd10, CASE
         WHEN c.clm_id IS NULL THEN 'CLM_ID|is required'
         WHEN c.member_id IS NULL THEN 'DESYNPUF_ID|is required'
         WHEN c.member_id NOT IN (SELECT member_id FROM _members) THEN 'DESYNPUF_ID|the member is in no imported beneficiary row'
         WHEN c.thru_date IS NULL THEN 'CLM_THRU_DT|expected a date YYYYMMDD'
         WHEN c.from_date IS NULL THEN 'CLM_FROM_DT|expected a date YYYYMMDD'
         WHEN c.thru_date < c.from_date THEN 'CLM_THRU_DT|is before CLM_FROM_DT'
         WHEN c.paid IS NULL THEN 'CLM_PMT_AMT|expected an amount'
         WHEN c.paid < 0 THEN 'CLM_PMT_AMT|is negative'
         WHEN len(coalesce(x.icd10, [])) = 0 THEN 'ICD9_DGNS_CD_1|no diagnosis converts to ICD-10-CM'
         WHEN count(*) OVER (PARTITION BY c.clm_id, c.segment, c.claim_type) > 1 THEN 'CLM_ID|appears twice with the same SEGMENT'
       END AS problem
       FROM _claims_in c LEFT JOIN (
         SELECT file, _row, list_distinct(flatten(list(icd10 ORDER BY pos)) ) AS icd10 FROM _dx WHERE icd10 IS NOT NULL GROUP BY file, _row
       ) x ON x.file = c.file AND x._row = c._row`,
    );

    if (files.pharmacy) onStage?.('reading prescription drug events');
    await createPdeTables(conn, files.pharmacy);

    onStage?.('writing the contract files');
    const outputs: string[] = [];
    const write = async (name: string, sql: string, format: 'parquet' | 'csv' = 'parquet'): Promise<void> => {
      const path = join(out, name);
      await copyAtomically(conn, sql, path, format);
      outputs.push(path);
    };
    await write(
      'members.parquet',
      `SELECT member_id, birth_date, sex, orec, death_date FROM _members ORDER BY member_id`,
    );
    await write(
      'enrollment.parquet',
      `SELECT member_id, year, months::INTEGER AS months_enrolled, 'none' AS dual_status, false AS institutional, false AS new_enrollee,
              NULL::VARCHAR AS contract_id
       FROM _bene_checked WHERE problem IS NULL ORDER BY member_id, year`,
    );
    // list_distinct does not keep order: codes are kept in the order of their first entry.
    await write(
      'claims.parquet',
      `SELECT CASE WHEN segment = '1' THEN clm_id ELSE clm_id || '-' || segment END || CASE claim_type WHEN 'outpatient' THEN '-OP' ELSE '' END AS claim_id,
              member_id, claim_type, CASE claim_type WHEN 'inpatient' THEN '111' ELSE '131' END AS bill_type, from_date, thru_date,
              procedures AS procedure_codes, icd10 AS diagnosis_codes, paid AS paid_amount, npi AS rendering_npi
       FROM _claims_checked WHERE problem IS NULL ORDER BY claim_type, member_id, thru_date, clm_id, segment`,
    );
    if (files.pharmacy) await write('pharmacy.parquet', PHARMACY_SQL);
    await write(
      'flags.parquet',
      `SELECT b.member_id, b.year, true AS dual_status_defaulted, true AS institutional_defaulted, true AS new_enrollee_defaulted,
              true AS orec_defaulted, m.orec, b.esrd
       FROM _bene_checked b JOIN _members m USING (member_id) WHERE b.problem IS NULL ORDER BY b.member_id, b.year`,
    );
    await write(
      'import.rejected.csv',
      `SELECT file, _row AS row, split_part(problem, '|', 1) AS field, split_part(problem, '|', 2) AS reason FROM (
         SELECT file, _row, problem FROM _bene_checked WHERE problem IS NOT NULL
         UNION ALL SELECT file, _row, problem FROM _claims_checked WHERE problem IS NOT NULL
         UNION ALL SELECT file, _row, problem FROM _pde_checked WHERE problem IS NOT NULL)
       ORDER BY file, row`,
      'csv',
    );

    const num = async (sql: string): Promise<number> => Number((await conn.runAndReadAll(sql)).getRowObjectsJson()[0]!.n);
    const fileCounts: FileCount[] = [];
    for (const [table, paths] of [
      ['_bene_checked', files.beneficiaries.map((b) => b.path)],
      ['_claims_checked', [files.inpatient, files.outpatient].filter((p): p is string => p !== undefined)],
      ['_pde_checked', files.pharmacy === undefined ? [] : [files.pharmacy]],
    ] as const) {
      for (const p of paths) {
        const read = await num(`SELECT count(*)::BIGINT AS n FROM ${table} WHERE file = ${sqlString(p)}`);
        const rejected = await num(`SELECT count(*)::BIGINT AS n FROM ${table} WHERE file = ${sqlString(p)} AND problem IS NOT NULL`);
        fileCounts.push({ file: basename(p), read, imported: read - rejected, rejected });
      }
    }
    const members = await num(`SELECT count(*)::BIGINT AS n FROM _members`);
    const memberYears = await num(`SELECT count(*)::BIGINT AS n FROM _bene_checked WHERE problem IS NULL`);
    const claims = await num(`SELECT count(*)::BIGINT AS n FROM _claims_checked WHERE problem IS NULL`);
    const fills = await num(`SELECT count(*)::BIGINT AS n FROM _pde_checked WHERE problem IS NULL`);
    const kinds = Object.fromEntries(
      (await conn.runAndReadAll(`SELECT kind, count(*)::BIGINT AS n FROM _dx GROUP BY kind`)).getRowObjectsJson().map((r) => [r.kind, Number(r.n)]),
    ) as Record<string, number>;
    const top = (
      await conn.runAndReadAll(
        `SELECT icd9 AS code, count(*)::BIGINT AS n FROM _dx WHERE kind IN ('no map', 'not in GEM') GROUP BY icd9 ORDER BY n DESC, code LIMIT 10`,
      )
    ).getRowObjectsJson();
    const diagnoses: DiagnosisConversion = {
      icd9: Object.values(kinds).reduce((x, y) => x + y, 0),
      toOne: (kinds.one ?? 0) + (kinds.alternatives ?? 0) + (kinds.subcode ?? 0),
      toSeveral: kinds.combination ?? 0,
      noMap: kinds['no map'] ?? 0,
      notInGem: kinds['not in GEM'] ?? 0,
      choseAmongAlternatives: kinds.alternatives ?? 0,
      viaSubcode: kinds.subcode ?? 0,
      topNotConverted: top.map((r) => ({ code: String(r.code), count: Number(r.n) })),
    };
    const defaults: ImportDefault[] = [
      { table: 'enrollment', field: 'dual_status', value: 'none', rule: 'DE-SynPUF has no Medicaid or dual-eligibility status', rows: memberYears },
      { table: 'enrollment', field: 'institutional', value: 'false', rule: 'DE-SynPUF has no long-term institutional status', rows: memberYears },
      { table: 'enrollment', field: 'new_enrollee', value: 'false', rule: 'DE-SynPUF does not say when Part B began', rows: memberYears },
      {
        table: 'enrollment',
        field: 'months_enrolled',
        value: 'max(BENE_HI_CVRAGE_TOT_MONS, BENE_SMI_CVRAGE_TOT_MONS)',
        rule: 'months of Part A or Part B coverage stand for months enrolled (the file is fee-for-service)',
        rows: memberYears,
      },
      { table: 'members', field: 'orec', value: '1 under 65, else 0', rule: 'DE-SynPUF has no original reason for entitlement: under 65 on January 1 of the first year means entitled by disability', rows: members },
      { table: 'claims', field: 'bill_type', value: '111 inpatient, 131 outpatient', rule: 'DE-SynPUF claims carry no type of bill', rows: claims },
      { table: 'claims', field: 'rendering_npi', value: 'AT_PHYSN_NPI', rule: 'the attending physician stands for the rendering provider (blank when not 10 digits)', rows: claims },
      {
        table: 'claims',
        field: 'received_date',
        value: 'blank: received on thru_date',
        rule: 'DE-SynPUF carries no date of receipt or processing: each claim counts as received on its thru_date (data/received-by.ts), so a data cut-off falls on dates of service alone and every claim dated by it counts as known',
        rows: claims,
      },
    ];
    if (files.pharmacy) defaults.push(...pharmacyDefaults(fills));
    const summary: DesynpufImport = { files: fileCounts, members, memberYears, claims, fills, defaults, diagnoses, ignored: files.ignored, outputs };
    const manifest = join(out, 'import.json');
    await writeFileAtomically(manifest, `${JSON.stringify({ source: 'CMS DE-SynPUF 2008-2010', in: inDir, ...summary, outputs: undefined }, null, 2)}\n`);
    outputs.push(manifest);
    for (const f of fileCounts) {
      if (f.imported + f.rejected !== f.read) throw new InputError(`${f.file}: read ${f.read} but imported ${f.imported} and rejected ${f.rejected}`);
    }
    return summary;
  } finally {
    db.close();
  }
}
