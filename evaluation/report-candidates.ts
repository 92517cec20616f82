// What the report reads of a candidate list: the top rows of outreach.csv and the totals of
// candidates.csv's expected dollars.
import { parseCsv } from '../data/csv.ts';
import { dollars, probability } from './format.ts';

export interface OutreachRow {
  priority: string;
  member: string;
  dollars: string;
  /** The model's probability that the member is in the top 20%, 4 digits. */
  probability: string;
  provider: string;
  /** Why the member is listed, in plain words (evaluation/reasons.ts); empty in lists written before the reasons. */
  reasons: string;
  hccs: string;
}

/** The candidate list's totals (candidates.csv): its members and the sum of each `expected_*` column. */
export interface CandidateTotals {
  members: number;
  /** Column name -> total, to the cent, in the file's column order. */
  expected: Record<string, number>;
  /** What ordered the list (its rank_by column; lists written before it: probability). */
  rankBy: string;
}

/** Reads the top rows of an outreach.csv (rafcast candidates). */
export function outreachRows(csvText: string, top: number): OutreachRow[] {
  const rows: string[][] = [];
  // The header and `top` rows; then the parse stops.
  parseCsv(csvText, (fields) => {
    rows.push(fields);
    return rows.length <= top;
  });
  const head = rows[0] ?? [];
  const col = (name: string): number => head.indexOf(name);
  return rows.slice(1, top + 1).map((r) => ({
    priority: r[col('priority')] ?? '',
    member: r[col('member_id')] ?? '',
    dollars: dollars(Number(r[col('expected_dollars')] ?? 0)),
    probability: col('probability') < 0 || r[col('probability')] === undefined || r[col('probability')] === '' ? '' : probability(Number(r[col('probability')])),
    provider: r[col('member_provider_npi')] ?? '',
    reasons: col('reasons') < 0 ? '' : (r[col('reasons')] ?? ''),
    hccs: r[col('hccs')] ?? '',
  }));
}

/** Sums a candidates.csv's `expected_*` columns (to the cent) and counts its members. */
export function candidateTotals(csvText: string): CandidateTotals {
  let head: string[] | undefined;
  let cols: [string, number][] = [];
  const cents: number[] = [];
  let members = 0;
  let rankBy = 'probability';
  parseCsv(csvText, (fields) => {
    if (head === undefined) {
      head = fields;
      cols = head.map((h, k) => [h, k] as [string, number]).filter(([h]) => h.startsWith('expected_'));
      cols.forEach(() => cents.push(0));
      return;
    }
    if (fields.length === 1 && fields[0] === '') return;
    members++;
    const r = head.indexOf('rank_by');
    if (r >= 0 && fields[r] !== undefined && fields[r] !== '') rankBy = fields[r]!;
    cols.forEach(([, k], j) => {
      cents[j]! += Math.round(Number(fields[k] ?? 0) * 100);
    });
  });
  return { members, expected: Object.fromEntries(cols.map(([h], j) => [h, cents[j]! / 100])), rankBy };
}

