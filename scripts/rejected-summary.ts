// The words for rejected rows in the summaries of `rafcast load`, `score`, `suspects` and `explain`: a count says
// what it counts ("1 row"), and the reasons by field say they are reasons ("rejected 1 (row: 1)"
// read like a row number, issue 16 item 8).

const rows = (n: number): string => `${n} ${n === 1 ? 'row' : 'rows'}`;

/**
 * "2 rows (reasons by field: birth_date 1, not readable as a row 1)": the count, and how many
 * rows each field's check rejected ('row' counts the rows that could not be read as rows).
 */
export function rejectedRowsText(count: number, byField: Readonly<Record<string, number>>): string {
  const reasons = Object.entries(byField)
    .map(([field, n]) => `${field === 'row' ? 'not readable as a row' : field} ${n}`)
    .join(', ');
  return reasons === '' ? rows(count) : `${rows(count)} (reasons by field: ${reasons})`;
}

/** "claims: read 10 = accepted 9 + rejected 1 row (reasons by field: thru_date 1)": one input file's reconciliation. */
export function loadedFileText(l: { table: string; read: number; accepted: number; rejected: number; rejectedByField: Readonly<Record<string, number>> }): string {
  return `${l.table}: read ${l.read} = accepted ${l.accepted} + rejected ${rejectedRowsText(l.rejected, l.rejectedByField)}`;
}
