// The dates the input contract accepts (data/contract.ts, data/README.md): a range per kind of
// date, with why. Apart from contract.ts so that the optional tables' specs
// (contract-optional.ts) can read them without an import cycle.

/** A range of accepted dates, ISO YYYY-MM-DD, inclusive, and why those bounds. */
export interface DateRange {
  earliest: string;
  latest: string;
  why: string;
}

/**
 * The dates each kind of date field accepts (issue 16): one place, read by the checks
 * (contract-field-checks.ts). A date outside is a typo or a placeholder (1899-12-31, 1900-01-01
 * and 9999-12-31 are common "unknown" values), never a fact to score on. Dates that depend on
 * other data (a claim before its member's birth) are the member checks' business (memberChecks).
 */
export const DATE_RANGES = {
  birth: {
    earliest: '1900-01-02',
    latest: '2100-12-31',
    why: 'no one born before 1900 is alive in the years CMS-HCC scores (it began in 2004; the score takes ages up to 125); 1900-01-01 is a placeholder',
  },
  service: {
    earliest: '2000-01-01',
    latest: '2100-12-31',
    why: 'CMS-HCC risk adjustment began in 2004 and DE-SynPUF, the oldest data rafcast reads, starts in 2008; a claim dated earlier is a typo or a placeholder',
  },
} as const satisfies Record<string, DateRange>;
