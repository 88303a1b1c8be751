/**
 * The A/B statistics of `gauntlet compare`, all on the relative change of the median (robust to the
 * odd boot a busy host slows down): a two-sided permutation test (exact over every split of the pooled
 * samples when there are few enough, otherwise over random splits), a bootstrap confidence interval of
 * the change, and the noise floor of one run, all from seeded generators, so a verdict never changes
 * between two looks at the same records.
 */
import { median } from '../metrics/percentile.ts';
import { mulberry32 } from '../metrics/seeded-random.ts';

export interface ResampleOptions {
  /** Up to this many distinct splits, take every one (exact). */
  exactSplitsUpTo: number;
  /** Above that, draw this many random splits; also the bootstrap's draws. */
  resamples: number;
  seed: number;
}

/** (median B − median A) / |median A|; ±Infinity from a zero median, 0 when both are zero. */
export function relativeChange(a: readonly number[], b: readonly number[]): number {
  const centreA = median(a);
  const centreB = median(b);
  if (centreA === 0) return centreB === 0 ? 0 : Infinity * Math.sign(centreB);
  return (centreB - centreA) / Math.abs(centreA);
}

/** p-value for "A and B come from the same distribution", judged by |median(B) − median(A)|. */
export function permutationPValue(a: readonly number[], b: readonly number[], options: ResampleOptions): number {
  if (a.length === 0 || b.length === 0) return 1;
  const pooled = [...a, ...b];
  const distance = (indicesOfB: readonly number[]) => {
    const inB = new Set(indicesOfB);
    return Math.abs(median(indicesOfB.map((i) => pooled[i]!)) - median(pooled.filter((_, i) => !inB.has(i))));
  };
  const observed = Math.abs(median(b) - median(a));
  // Medians of the same numbers taken in another order agree exactly, but keep a hair of slack anyway.
  const tolerance = 1e-9 * Math.max(1, Math.abs(observed));
  const atLeastAsExtreme = (indicesOfB: readonly number[]) => distance(indicesOfB) >= observed - tolerance;

  if (binomial(pooled.length, b.length) <= options.exactSplitsUpTo) {
    let extreme = 0;
    let splits = 0;
    forEachSubset(pooled.length, b.length, (indices) => {
      splits++;
      if (atLeastAsExtreme(indices)) extreme++;
    });
    return extreme / splits;
  }
  const random = mulberry32(options.seed);
  let extreme = 0;
  for (let draw = 0; draw < options.resamples; draw++) {
    if (atLeastAsExtreme(randomSubset(pooled.length, b.length, random))) extreme++;
  }
  // The observed split counts as one of the draws, so p is never 0 (Phipson & Smyth).
  return (extreme + 1) / (options.resamples + 1);
}

/**
 * The smallest p-value the test gives for these sample counts, that of two groups that do not overlap
 * at all: above the threshold, no verdict is possible (medians need more samples than means: 8 a side
 * for p < 0.01, against 5).
 */
export function smallestPValue(countA: number, countB: number, options: ResampleOptions): number {
  const ranks = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
  return permutationPValue(ranks(0, countA), ranks(countA, countB), options);
}

/** Percentile bootstrap interval of the relative change of the median, at `confidence` (e.g. 0.95). */
export function bootstrapInterval(a: readonly number[], b: readonly number[], confidence: number, options: ResampleOptions): [number, number] {
  const random = mulberry32(options.seed);
  const resample = (values: readonly number[]) => values.map(() => values[Math.floor(random() * values.length)]!);
  const changes = Array.from({ length: options.resamples }, () => relativeChange(resample(a), resample(b))).sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  const at = (fraction: number) => changes[Math.min(changes.length - 1, Math.max(0, Math.round(fraction * (changes.length - 1))))]!;
  return [at(tail), at(1 - tail)];
}

/**
 * How far the median moves between two halves of one run's own samples (in run order: first half
 * against second, and every other sample against the rest), as a fraction of the run's median: the
 * change a second run of the same build can show by itself. Undefined below `minSamples`.
 */
export function splitHalfSpread(samples: readonly number[], minSamples: number): number | undefined {
  if (samples.length < minSamples) return undefined;
  const half = samples.length >> 1;
  const splits: [number[], number[]][] = [
    [samples.slice(0, half), samples.slice(half)],
    [samples.filter((_, i) => i % 2 === 0), samples.filter((_, i) => i % 2 === 1)],
  ];
  return Math.max(...splits.map(([first, second]) => Math.abs(relativeChange(first, second))));
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

function forEachSubset(n: number, size: number, visit: (indices: readonly number[]) => void): void {
  const chosen: number[] = [];
  const walk = (start: number): void => {
    if (chosen.length === size) return visit(chosen);
    for (let i = start; i <= n - (size - chosen.length); i++) {
      chosen.push(i);
      walk(i + 1);
      chosen.pop();
    }
  };
  walk(0);
}

/** Partial Fisher–Yates: the first `size` indices of a shuffled 0…n−1. */
function randomSubset(n: number, size: number, random: () => number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const pick = i + Math.floor(random() * (n - i));
    [pool[i], pool[pick]] = [pool[pick]!, pool[i]!];
  }
  return pool.slice(0, size);
}
