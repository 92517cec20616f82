// How dollars and shares are written for people: the command line, evaluation verdicts, the report.

/** $1,234.56 (or $1,235 with places = 0). */
export function dollars(x: number, places: 0 | 2 = 2): string {
  return `$${x.toLocaleString('en-US', { minimumFractionDigits: places, maximumFractionDigits: places })}`;
}

/** 0.1234 as 12.3%. */
export function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
