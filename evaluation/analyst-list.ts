// The analyst's list (DOMAIN.md section 4): what an analyst ranks by in a spreadsheet on January
// 1 of T. A continuing member (one with RAF_{T-1}) scores RAF_{T-1}, the payment score of payment
// year T. A member new to the plan, with no RAF_{T-1}, scores the payment score of payment year T
// the engine gives a member with no diagnoses: the CMS-HCC demographic factors only (age/sex
// cell, Medicaid, OREC, originally disabled, new-enrollee or community/institutional segment),
// normalised, blended and coding-adjusted with the factors the history scored RAF_{T-1} with
// (evaluation/year-scoring.ts), so both kinds of member are on one scale. The naive list instead
// scores new members 0 and ranks them last.
//
// The demographics are those the plan holds on January 1 of T: birth date, sex and OREC, and the
// enrollment row of T (a new member has none in T-1) for dual and institutional status and the
// new-enrollee flag. Age is age on February 1 of T. Segment follows the history's rule
// (scoring/history/year-rows.ts): new enrollee when the enrollment row says new_enrollee and the
// member had fewer than 12 months in the data year (T-1); a member new to the plan had none, so
// the flag decides.
import type { DuckDBConnection } from '@duckdb/node-api';
import { createMemberIndex, forEachRowByIndex, isMemberIndex, type MemberIndex } from '../data/member-index.ts';
import { InputError } from '../data/errors.ts';
import { isNewEnrolleeSegment, resolveDemographics, type Demographics, type DualStatus } from '../scoring/demographics.ts';
import { paymentScoreOf, type YearScoring } from './year-scoring.ts';

/** A new member's January record: the members file and the enrollment row of T. */
export interface JanuaryRecord {
  sex: 'M' | 'F';
  birthDate: string;
  orec: string;
  dualStatus: DualStatus;
  institutional: boolean;
  newEnrollee: boolean;
}

/**
 * A new member's demographics for payment year T (the payment year of RAF_{T-1}): the engine's
 * resolveDemographics with no months in T-1, so the new-enrollee flag alone decides the NE segment.
 */
export function newMemberDemographics(r: JanuaryRecord, T: number): Demographics {
  return resolveDemographics(
    { sex: r.sex, birthDate: r.birthDate, orec: r.orec, dualStatus: r.dualStatus, institutional: r.institutional, newEnrollee: r.newEnrollee },
    T,
  );
}

/**
 * The analyst's score per member: RAF_{T-1} for continuing members, `demographicScore(i)` for new
 * ones (`isNew[i]` = 1: no RAF_{T-1}). Its input arrays are not changed.
 */
export function analystScores(rafT1: ArrayLike<number>, isNew: ArrayLike<number>, demographicScore: (i: number) => number): Float64Array {
  const out = new Float64Array(rafT1.length);
  for (let i = 0; i < rafT1.length; i++) out[i] = isNew[i] === 1 ? demographicScore(i) : rafT1[i]!;
  return out;
}

export interface AnalystScores {
  score: Float64Array;
  /** New members scored by demographics, of them in a new-enrollee segment, and those whose record could not be scored (score 0). */
  newMembers: number;
  newEnrolleeSegment: number;
  unscored: number;
}

/**
 * The analyst's scores of `members` (ids, or their index in DuckDB: data/member-index.ts) at
 * as-of T, in their order, with the contract's `members` and `enrollment` tables readable on
 * `conn` and `scoring` the plan of service year T-1.
 */
export async function analystListScores(
  conn: DuckDBConnection,
  members: readonly string[] | MemberIndex,
  rafT1: ArrayLike<number>,
  isNew: ArrayLike<number>,
  T: number,
  scoring: YearScoring,
): Promise<AnalystScores> {
  if (scoring.paymentYear !== T) throw new Error(`the analyst's list needs payment year ${T}'s plan, given ${scoring.paymentYear}'s`);
  // The January records of the new members only (a continuing member is scored by RAF_{T-1}), by
  // their place in `members`: nothing is held for the plan's other members.
  const index = isMemberIndex(members) ? members : await createMemberIndex(conn, members, '_analyst_members');
  const records = new Map<number, JanuaryRecord>();
  await forEachRowByIndex(
    conn,
    `SELECT x.i, m.sex, m.birth_date::VARCHAR AS birth_date, m.orec, e.dual_status, e.institutional, e.new_enrollee
     FROM ${index.table} x JOIN members m USING (member_id) JOIN enrollment e USING (member_id) WHERE e.year = ${T}`,
    (i, [sex, birthDate, orec, dualStatus, institutional, newEnrollee]) => {
      if (isNew[i] !== 1) return;
      records.set(i, {
        sex: String(sex) as 'M' | 'F',
        birthDate: String(birthDate),
        orec: String(orec),
        dualStatus: String(dualStatus) as DualStatus,
        institutional: institutional === true,
        newEnrollee: newEnrollee === true,
      });
    },
  );
  let newMembers = 0;
  let newEnrolleeSegment = 0;
  let unscored = 0;
  const score = analystScores(rafT1, isNew, (i) => {
    newMembers++;
    const r = records.get(i);
    if (r === undefined) {
      unscored++;
      return 0;
    }
    let d: Demographics;
    try {
      d = newMemberDemographics(r, T);
    } catch (e) {
      // The history sets such a member-year aside too (an age over 125, say); it has no label.
      if (!(e instanceof InputError)) throw e;
      unscored++;
      return 0;
    }
    if (isNewEnrolleeSegment(d.segment)) newEnrolleeSegment++;
    return paymentScoreOf(d, [], scoring);
  });
  return { score, newMembers, newEnrolleeSegment, unscored };
}
