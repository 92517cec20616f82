// The one rule for "what a plan knows on a date" (a run's data cut-off, --data-through): a claim
// is known on date D when the plan received it by D. A claim without a received_date (the column
// is optional) counts as received on its thru_date, so a plan whose files carry no received dates
// is cut by date of service only, which counts every claim dated up to D as known on D. The same
// rule holds for the other dated records (issue 17: a pharmacy fill without a received_date counts
// as received on its fill_date, a lab result on its result_date): `serviceDate` names that column.
import { ConfigError } from './errors.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A cut-off date checked as YYYY-MM-DD (a real calendar date); a ConfigError otherwise. */
export function parseCutoff(text: string, what = '--data-through'): string {
  const d = new Date(`${text}T00:00:00Z`);
  if (!ISO_DATE.test(text) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text) {
    throw new ConfigError(`${what}: expected a date as YYYY-MM-DD, found "${text}"`);
  }
  return text;
}

/** The default cut-off of a run at as-of year T: January 1 of T, what a plan knows on the list's day. */
export const defaultCutoff = (asOf: number): string => `${asOf}-01-01`;

/** The date a claim counts as received: received_date, else thru_date (else `serviceDate`). `alias` qualifies the columns ('' for none). */
export function receivedDateSql(alias = '', serviceDate = 'thru_date'): string {
  const a = alias === '' ? '' : `${alias}.`;
  return `coalesce(${a}received_date, ${a}${serviceDate})`;
}

/** SQL true for a claim received on or before the date `dateSql` evaluates to (a column, say); NULL when it is NULL. */
export function receivedOnOrBeforeSql(dateSql: string, alias = '', serviceDate = 'thru_date'): string {
  return `${receivedDateSql(alias, serviceDate)} <= ${dateSql}`;
}

/** SQL true for a claim (or a record dated by `serviceDate`) the plan has received by `cutoff` (inclusive). */
export function receivedBySql(cutoff: string, alias = '', serviceDate = 'thru_date'): string {
  return receivedOnOrBeforeSql(`DATE '${parseCutoff(cutoff)}'`, alias, serviceDate);
}
