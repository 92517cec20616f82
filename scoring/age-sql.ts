// Age on February 1 of the payment year (DOMAIN.md section 1, step 2) as a DuckDB SQL expression:
// the same rule as ageOnFebruaryFirst in demographics.ts, for queries that work out age over a
// whole table (the features). age-sql.test.ts holds the two equal on the edge dates.

/**
 * SQL for the whole years between the DATE `birthDate` (a column or expression) and February 1
 * of `paymentYear`: the difference of the years, less one when the birthday (month and day) falls
 * after February 1, so has not come yet on that day (February 29 included). A BIGINT expression;
 * unlike the JavaScript rule it does not reject a birth after February 1 of the payment year (the
 * result is then negative): callers filter or check their members themselves.
 */
export function ageOnFebruaryFirstSql(birthDate: string, paymentYear: number): string {
  if (!Number.isInteger(paymentYear)) throw new RangeError(`the payment year must be a whole number, found ${paymentYear}`);
  return `(${paymentYear} - year(${birthDate}) - CASE WHEN strftime(${birthDate}, '%m%d') > '0201' THEN 1 ELSE 0 END)`;
}
