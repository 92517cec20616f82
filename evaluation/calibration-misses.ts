// Which targets of a generated plan's calibration report (synthetic-calibration.ts, written to
// calibration.json) came out outside their tolerance, named as calibration.json nests them:
// `femaleShare`, `prevalence.diabetes`. `rafcast generate` prints them in its summary.

/**
 * The targets whose `within` is false, in the report's order. A target is an object with a
 * `within` field; other objects are groups of targets (`prevalence`); `run` describes the run.
 */
export function targetsOutsideTolerance(report: Readonly<Record<string, unknown>>): string[] {
  const misses: string[] = [];
  const walk = (group: Readonly<Record<string, unknown>>, prefix: string): void => {
    for (const [key, value] of Object.entries(group)) {
      if (key === 'run' || value === null || typeof value !== 'object') continue;
      if ('within' in value) {
        if (value.within !== true) misses.push(`${prefix}${key}`);
      } else walk(value as Record<string, unknown>, `${prefix}${key}.`);
    }
  };
  walk(report, '');
  return misses;
}
