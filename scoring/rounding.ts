// CMS rounding: half away from zero at a decimal place, as SAS ROUND does, robust to binary
// representation (1.0005 is stored as 1.000499999..., and must still round to 1.001).

export function roundHalfUp(value: number, places: number): number {
  const scale = 10 ** places;
  const scaled = Math.abs(value) * scale;
  // A relative nudge far below the data's precision (3-4 decimals) undoes binary error only.
  const rounded = Math.round(scaled * (1 + 1e-12)) / scale;
  return value < 0 ? -rounded : rounded;
}
