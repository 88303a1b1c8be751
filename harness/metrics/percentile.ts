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
