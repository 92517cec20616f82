// How dollars, shares, probabilities and lists are written for people: the command line,
// evaluation verdicts, the report.

/** $1,234.56 (or $1,235 with places = 0). */
export function dollars(x: number, places: 0 | 2 = 2): string {
  return `${x < 0 ? '-' : ''}$${Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: places, maximumFractionDigits: places })}`;
}

/** A difference with its sign: +$1,234.56, -$1,234.56, +$0.00. */
export function signedDollars(x: number, places: 0 | 2 = 2): string {
  return `${x < 0 ? '-' : '+'}${dollars(Math.abs(x), places)}`;
}

/** 0.1234 as 12.3%. */
export function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** A probability, with 4 digits: 0.9999997 as 1.0000, 0.12345 as 0.1235. */
export function probability(x: number): string {
  return x.toFixed(4);
}

/** What each list is, in words a finance analyst reads without the code (any other name: "the <name> list"). */
const LIST_LABELS: Record<string, string> = {
  model: "the model's list",
  dollars: 'the list ranked by expected dollars',
  ceiling: 'the ceiling list (the true dollars of each member)',
  naive: "last year's top 20% (the naive list)",
  analyst: "the analyst's list",
  perfect: 'the perfect-knowledge list',
};

export function listLabel(name: string): string {
  return LIST_LABELS[name] ?? `the ${name} list`;
}

/** The same, starting a sentence. */
export function listLabelCapitalized(name: string): string {
  const s = listLabel(name);
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Symbols in text written for the code (a list's description) in plain words: RAF_2023 as "the
 * risk score of 2023", RAF_{T-1} as "the risk score of the year before the as-of year".
 */
export function plainWords(text: string): string {
  return text
    .replace(/RAF_(\d{4})/g, 'the risk score of $1')
    .replace(/RAF_\{?T-1\}?/g, 'the risk score of the year before the as-of year')
    .replace(/RAF_\{?T\+1\}?/g, 'the risk score of the year after the as-of year')
    .replace(/RAF_T\b/g, 'the risk score of the as-of year');
}
