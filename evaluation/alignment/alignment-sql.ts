// ACO REACH beneficiary alignment (issue 19; the rules and their sources in ./README.md), in DuckDB
// SQL over the contract's members, enrollment, claims, providers, participants and
// voluntary_alignment, for one performance year PY and the next (the projection):
// - eligibility: alive on January 1 of PY and enrolled in PY-1;
// - claims-based: the plurality of weighted charges for PQEM services in the alignment period
//   (30 to 6 months before PY), primary care specialists' services when their share reaches the
//   year's threshold, else the specialists'; a tie to the most recent service;
// - voluntary: the latest designation signed before PY takes precedence, unless removed (no
//   participant or preferred provider saw them in a year since it and an outside one billed a PQEM);
// - the projection: the same rules for PY+1 on the claims there are so far.
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../data/duckdb.ts';
import type { AlignmentRules } from '../../data/reference/alignment-rules.ts';

/** The dates of one performance year's alignment, YYYY-MM-DD (`to` dates exclusive). */
export interface AlignmentWindow {
  performanceYear: number;
  /** January 1 of the performance year. */
  start: string;
  /** First day of the alignment period (30 months before `start`). */
  from: string;
  /** First day of the second (later) alignment year. */
  middle: string;
  /** The day after the alignment period (6 months before `start`). */
  to: string;
}

const monthsBefore = (year: number, months: number): string => new Date(Date.UTC(year, -months, 1)).toISOString().slice(0, 10);

/** The window of performance year `py` under `rules` (the period's bounds come from the rules file). */
export function alignmentWindow(py: number, rules: AlignmentRules): AlignmentWindow {
  return {
    performanceYear: py,
    start: `${py}-01-01`,
    from: monthsBefore(py, rules.windowStartMonthsBefore),
    middle: monthsBefore(py, rules.windowStartMonthsBefore - 12),
    to: monthsBefore(py, rules.windowEndMonthsBefore),
  };
}

/** What the alignment tables are built from: the relations' names on the connection, and the reference data. */
export interface AlignmentSources {
  members: string;
  enrollment: string;
  claims: string;
  /** The providers file (npi, specialty), when the plan has one: without it every NPI counts as a specialist. */
  providers?: string;
  participants: string;
  /** The voluntary alignment file, when the plan has one. */
  voluntary?: string;
  pqemCodes: readonly string[];
  primaryCareSpecialties: readonly string[];
}

const list = (xs: readonly string[]): string => `[${xs.map(sqlString).join(', ')}]::VARCHAR[]`;
const date = (d: string): string => `DATE ${sqlString(d)}`;

/**
 * _al_part: the participant list, an open end as 9999-12-31.
 * _al_claims (claim_id, member_id, d, npi, billing_tin, paid, pqem, primary_care, participant_tin,
 * in_network): the professional encounters with a rendering NPI; participant_tin is the TIN the
 * claim credits a participant under (its billing TIN and NPI on the list that day; without a
 * billing TIN, the NPI under any TIN, the lowest), in_network whether a participant or preferred
 * provider furnished it.
 */
export async function createServiceTables(conn: DuckDBConnection, src: AlignmentSources): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _al_part AS
     SELECT tin, npi, provider_type, start_date, coalesce(end_date, DATE '9999-12-31') AS end_date FROM ${src.participants}`,
  );
  const specialty = src.providers === undefined ? `NULL::VARCHAR` : `(SELECT p.specialty FROM ${src.providers} p WHERE p.npi = c.rendering_npi)`;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _al_base AS
     SELECT c.claim_id, c.member_id, c.thru_date AS d, c.rendering_npi AS npi, c.billing_tin, c.paid_amount AS paid,
       list_has_any(c.procedure_codes, ${list(src.pqemCodes)}) AS pqem,
       coalesce(list_contains(${list(src.primaryCareSpecialties)}, ${specialty}), false) AS primary_care
     FROM ${src.claims} c
     WHERE c.claim_type = 'professional' AND c.record_source = 'encounter' AND c.rendering_npi IS NOT NULL`,
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _al_claims AS
     SELECT b.claim_id, any_value(b.member_id) AS member_id, any_value(b.d) AS d, any_value(b.npi) AS npi, any_value(b.billing_tin) AS billing_tin,
       any_value(b.paid) AS paid, any_value(b.pqem) AS pqem, any_value(b.primary_care) AS primary_care,
       min(p.tin) FILTER (WHERE p.provider_type = 'participant') AS participant_tin,
       count(p.tin) > 0 AS in_network
     FROM _al_base b
     LEFT JOIN _al_part p ON p.npi = b.npi AND (b.billing_tin IS NULL OR p.tin = b.billing_tin) AND b.d BETWEEN p.start_date AND p.end_date
     GROUP BY b.claim_id`,
  );
}

/**
 * _al_ca_<tag> (member_id, step, winner, aligned_tin, reach_charges, outside_charges, reach_visits,
 * outside_visits, last_reach_visit, last_outside_visit): claims-based alignment over `w`'s period.
 * A unit is the REACH entity (its participants together), or an outside practice (billing TIN) or,
 * without one, an outside clinician (NPI). Charges are paid_amount times the year's weight
 * (integers: exact sums). The step is primary care when primary care specialists' weighted charges
 * are at least the year's share of all (compared in whole basis points, exactly); the winner is the
 * unit with the most charges in the step's services, a tie to the later last service, then to the
 * outside unit (the conservative side), then by name. Visits are days with a PQEM service.
 */
export async function createClaimsAlignment(conn: DuckDBConnection, tag: string, w: AlignmentWindow, rules: AlignmentRules): Promise<void> {
  const svc = `_al_svc_${tag}`;
  const bp = Math.round(rules.primaryCareShare * 10_000);
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${svc} AS
     SELECT member_id, d, participant_tin, primary_care,
       paid * (CASE WHEN d >= ${date(w.middle)} THEN ${rules.laterYearWeight} ELSE ${rules.earlierYearWeight} END) AS charge,
       CASE WHEN participant_tin IS NOT NULL THEN 'reach' WHEN billing_tin IS NOT NULL THEN 'tin:' || billing_tin ELSE 'npi:' || npi END AS unit
     FROM _al_claims WHERE pqem AND d >= ${date(w.from)} AND d < ${date(w.to)}`,
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _al_step_${tag} AS
     SELECT member_id,
       CASE WHEN count(*) FILTER (WHERE primary_care) > 0
             AND 10000 * coalesce(sum(charge) FILTER (WHERE primary_care), 0) >= ${bp} * sum(charge) THEN 'primary_care' ELSE 'specialist' END AS step,
       count(DISTINCT d) FILTER (WHERE unit = 'reach')::INTEGER AS reach_visits,
       count(DISTINCT d) FILTER (WHERE unit <> 'reach')::INTEGER AS outside_visits,
       max(d) FILTER (WHERE unit = 'reach') AS last_reach_visit,
       max(d) FILTER (WHERE unit <> 'reach') AS last_outside_visit
     FROM ${svc} GROUP BY member_id`,
  );
  const inStep = `JOIN _al_step_${tag} st USING (member_id) WHERE (st.step = 'primary_care') = s.primary_care`;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _al_units_${tag} AS
     SELECT s.member_id, s.unit, sum(s.charge) AS charges, max(s.d) AS last_d,
       row_number() OVER (PARTITION BY s.member_id ORDER BY sum(s.charge) DESC, max(s.d) DESC, (s.unit = 'reach'), s.unit) AS rank
     FROM ${svc} s ${inStep} GROUP BY s.member_id, s.unit`,
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _al_tin_${tag} AS
     SELECT s.member_id, s.participant_tin AS tin,
       row_number() OVER (PARTITION BY s.member_id ORDER BY sum(s.charge) DESC, max(s.d) DESC, s.participant_tin) AS rank
     FROM ${svc} s ${inStep} AND s.unit = 'reach' GROUP BY s.member_id, s.participant_tin`,
  );
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _al_ca_${tag} AS
     SELECT st.member_id, st.step,
       CASE WHEN win.unit IS NULL THEN NULL WHEN win.unit = 'reach' THEN 'reach' ELSE 'outside' END AS winner,
       CASE WHEN win.unit = 'reach' THEN t.tin END AS aligned_tin,
       coalesce((SELECT u.charges FROM _al_units_${tag} u WHERE u.member_id = st.member_id AND u.unit = 'reach'), 0) AS reach_charges,
       coalesce((SELECT max(u.charges) FROM _al_units_${tag} u WHERE u.member_id = st.member_id AND u.unit <> 'reach'), 0) AS outside_charges,
       st.reach_visits, st.outside_visits, st.last_reach_visit, st.last_outside_visit
     FROM _al_step_${tag} st
     LEFT JOIN _al_units_${tag} win ON win.member_id = st.member_id AND win.rank = 1
     LEFT JOIN _al_tin_${tag} t ON t.member_id = st.member_id AND t.rank = 1`,
  );
}

/**
 * _al_vol_<tag> (member_id, npi, signed_date, vol_tin, removed): each beneficiary's latest
 * designation signed before `w.start`; vol_tin the TIN its NPI is a participant under on that day
 * (none: designated outside the entity); removed when it is to the entity and, in a calendar year
 * since it was signed (from the signature on) and before `w.start`, no participant or preferred
 * provider furnished a service while an outside provider billed a PQEM service. A removed
 * designation stays removed: a new one must be signed.
 */
export async function createVoluntaryAlignment(conn: DuckDBConnection, tag: string, w: AlignmentWindow, voluntary: string | undefined): Promise<void> {
  const source = voluntary ?? `(SELECT NULL::VARCHAR AS member_id, NULL::VARCHAR AS npi, NULL::DATE AS signed_date WHERE false)`;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _al_vol_${tag} AS
     WITH latest AS (
       SELECT member_id, arg_max(npi, signed_date) AS npi, max(signed_date) AS signed_date
       FROM ${source} WHERE signed_date < ${date(w.start)} GROUP BY member_id
     ), designated AS (
       SELECT l.*, (SELECT min(p.tin) FROM _al_part p WHERE p.npi = l.npi AND p.provider_type = 'participant' AND ${date(w.start)} BETWEEN p.start_date AND p.end_date) AS vol_tin
       FROM latest l
     )
     SELECT d.member_id, d.npi, d.signed_date, d.vol_tin,
       d.vol_tin IS NOT NULL AND EXISTS (
         SELECT 1 FROM _al_claims c WHERE c.member_id = d.member_id AND c.d >= d.signed_date AND c.d < ${date(w.start)}
         GROUP BY year(c.d) HAVING NOT bool_or(c.in_network) AND bool_or(c.pqem AND NOT c.in_network)
       ) AS removed
     FROM designated d`,
  );
}

/**
 * _al_elig_<tag> (member_id, excluded_by): the first eligibility rule a member fails, NULL when
 * eligible: died before January 1 of the performance year; no month enrolled in `enrollmentYear`
 * (PY-1 for PY; the projection of PY+1 keeps PY-1, the latest year the data is sure to hold).
 */
export async function createEligibility(
  conn: DuckDBConnection,
  tag: string,
  w: AlignmentWindow,
  enrollmentYear: number,
  src: Pick<AlignmentSources, 'members' | 'enrollment'>,
): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _al_elig_${tag} AS
     SELECT m.member_id,
       CASE WHEN m.death_date < ${date(w.start)} THEN 'died_before_performance_year'
            WHEN coalesce(e.months, 0) = 0 THEN 'not_enrolled_year_before' END AS excluded_by
     FROM ${src.members} m
     LEFT JOIN (SELECT member_id, sum(months_enrolled) AS months FROM ${src.enrollment} WHERE year = ${enrollmentYear} GROUP BY member_id) e USING (member_id)`,
  );
}

/** The alignment of one performance year from its tables: SQL over _al_elig_, _al_vol_ and _al_ca_ of `tag`. */
const alignmentCase = (tag: string): string => `CASE
    WHEN el_${tag}.excluded_by IS NOT NULL THEN 'ineligible'
    WHEN v_${tag}.vol_tin IS NOT NULL AND NOT v_${tag}.removed THEN CASE WHEN c_${tag}.winner = 'reach' THEN 'both' ELSE 'voluntary' END
    WHEN v_${tag}.npi IS NOT NULL AND v_${tag}.vol_tin IS NULL THEN 'voluntary_elsewhere'
    WHEN c_${tag}.winner = 'reach' THEN 'claims'
    WHEN c_${tag}.winner = 'outside' THEN 'claims_elsewhere'
    ELSE 'none' END`;

/** The practice (TIN) an aligned member counts for: the designated clinician's under voluntary alignment, else the claims' plurality TIN. */
const alignedTin = (tag: string): string => {
  const a = alignmentCase(tag);
  return `CASE WHEN ${a} IN ('voluntary', 'both') THEN v_${tag}.vol_tin WHEN ${a} = 'claims' THEN c_${tag}.aligned_tin END`;
};

export const ALIGNED = `('claims', 'voluntary', 'both')`;

/**
 * Builds every table and _al_result, one row per member of the members file: the alignment of PY
 * (`now`), its parts, the alignment of PY+1 on the claims so far (`next`) and the projection.
 */
export async function createAlignmentResult(
  conn: DuckDBConnection,
  src: AlignmentSources,
  now: { window: AlignmentWindow; rules: AlignmentRules },
  next: { window: AlignmentWindow; rules: AlignmentRules },
  onStep: (step: string) => void = () => undefined,
): Promise<void> {
  onStep('matching claims to the participant list');
  await createServiceTables(conn, src);
  for (const [tag, x] of [['now', now], ['next', next]] as const) {
    onStep(tag === 'now' ? `aligning for ${x.window.performanceYear}` : `projecting ${x.window.performanceYear}`);
    await createEligibility(conn, tag, x.window, now.window.performanceYear - 1, src);
    await createClaimsAlignment(conn, tag, x.window, x.rules);
    await createVoluntaryAlignment(conn, tag, x.window, src.voluntary);
  }
  const joins = (tag: string): string =>
    `LEFT JOIN _al_elig_${tag} el_${tag} ON el_${tag}.member_id = m.member_id
     LEFT JOIN _al_vol_${tag} v_${tag} ON v_${tag}.member_id = m.member_id
     LEFT JOIN _al_ca_${tag} c_${tag} ON c_${tag}.member_id = m.member_id`;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _al_result AS
     SELECT *,
       CASE WHEN excluded_by IS NOT NULL THEN 'ineligible'
            WHEN alignment IN ${ALIGNED} AND next_alignment IN ${ALIGNED} THEN 'aligned_now'
            WHEN alignment IN ${ALIGNED} THEN 'at_risk'
            WHEN next_alignment IN ${ALIGNED} THEN 'on_track'
            ELSE 'not_aligned' END AS projection
     FROM (
       SELECT m.member_id, el_now.excluded_by IS NULL AS eligible, el_now.excluded_by,
         ${alignmentCase('now')} AS alignment, ${alignedTin('now')} AS aligned_tin,
         c_now.step AS claims_step, c_now.winner AS claims_winner,
         coalesce(c_now.reach_charges, 0) AS reach_charges, coalesce(c_now.outside_charges, 0) AS outside_charges,
         coalesce(c_now.reach_visits, 0) AS reach_visits, coalesce(c_now.outside_visits, 0) AS outside_visits,
         c_now.last_reach_visit, c_now.last_outside_visit,
         v_now.npi AS voluntary_npi, v_now.signed_date AS voluntary_signed_date, coalesce(v_now.removed, false) AS voluntary_removed,
         ${alignmentCase('next')} AS next_alignment, ${alignedTin('next')} AS next_tin,
         coalesce(c_next.reach_visits, 0) AS next_reach_visits, coalesce(c_next.outside_visits, 0) AS next_outside_visits,
         coalesce(v_next.removed, false) AS next_voluntary_removed
       FROM ${src.members} m ${joins('now')} ${joins('next')}
     ) ORDER BY member_id`,
  );
}
