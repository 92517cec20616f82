// Every member's scores of a backtest at as-of T (evaluation/revenue.ts's MemberScores), as
// columns in the order of a feature table's rows: RAF_T and RAF_init_T (the payment scores of
// T+1), RAF_{T+1}, NaN when the history has no row, and the months of payment year T+1 the member
// is paid (evaluation/enrolled-months.ts). One reader for the evaluation and the candidate list's
// calibration; nothing is held by member id (data/member-index.ts).
import type { DuckDBConnection } from '@duckdb/node-api';
import { readByIndex, type MemberIndex } from '../data/member-index.ts';
import { sqlString } from '../data/duckdb.ts';
import { readMonthsPaidOf, type AssumedEnrollment } from './enrolled-months.ts';
import type { MemberScoreColumns } from './revenue.ts';

/**
 * The scores of the members of `index` at as-of T from raf_history.parquet, with the assumption
 * made when the data has no enrollment for T+1; the contract's tables must be attached to `conn`
 * (withScoredMembers's attachData).
 */
export async function readMemberScores(
  conn: DuckDBConnection,
  historyFile: string,
  T: number,
  index: MemberIndex,
): Promise<{ scores: MemberScoreColumns; assumed: AssumedEnrollment | null }> {
  const year = (y: number, cols: string): string =>
    `SELECT x.i, ${cols} FROM read_parquet(${sqlString(historyFile)}) h JOIN ${index.table} x USING (member_id) WHERE h.year = ${Math.trunc(y)}`;
  const [rafT, rafInitT] = await readByIndex(conn, year(T, 'h.raf::DOUBLE, h.raf_init::DOUBLE'), index, 2);
  const [rafNext] = await readByIndex(conn, year(T + 1, 'h.raf::DOUBLE'), index, 1);
  const paid = await readMonthsPaidOf(conn, T + 1, index);
  return { scores: { rafT: rafT!, rafInitT: rafInitT!, rafNext: rafNext!, monthsPaid: paid.months }, assumed: paid.assumed };
}
