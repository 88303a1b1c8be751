/** Percentiles of measured samples, for metrics such as the exec round trip's p50 and p99. */

/**
 * Nearest-rank percentile: always one of the samples, never an interpolation between two, so a p99
 * over few samples is the slowest one seen rather than a value nobody measured.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('percentile of no samples');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100] (got ${p})`);
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

/** The middle sample, or the midpoint of the two middle ones: the centre a comparison of two builds tracks. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
