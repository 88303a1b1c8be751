/**
 * Two-sided permutation test on the difference of means, as Firecracker's A/B gate runs it
 * (scipy.stats.permutation_test): exact over every split of the pooled samples when there are few
 * enough, otherwise over random splits from a seeded generator, so a verdict never changes between
 * two looks at the same records.
 */

export interface PermutationOptions {
  /** Above this many distinct splits, draw this many random ones. */
  resamples: number;
  seed: number;
}

/** p-value for "A and B come from the same distribution", judged by |mean(B) − mean(A)|. */
export function permutationPValue(a: number[], b: number[], options: PermutationOptions): number {
  if (a.length === 0 || b.length === 0) return 1;
  const pooled = [...a, ...b];
  const total = sum(pooled);
  const observed = Math.abs(sum(b) / b.length - sum(a) / a.length);
  // Floating-point sums of the same numbers in another order differ in the last bits.
  const tolerance = 1e-9 * Math.max(1, Math.abs(total));
  const atLeastAsExtreme = (sumOfB: number) =>
    Math.abs(sumOfB / b.length - (total - sumOfB) / a.length) >= observed - tolerance;

  if (binomial(pooled.length, b.length) <= options.resamples) {
    let extreme = 0;
    let splits = 0;
    forEachSubsetSum(pooled, b.length, (sumOfB) => {
      splits++;
      if (atLeastAsExtreme(sumOfB)) extreme++;
    });
    return extreme / splits;
  }
  const random = mulberry32(options.seed);
  let extreme = 0;
  for (let draw = 0; draw < options.resamples; draw++) {
    if (atLeastAsExtreme(randomSubsetSum(pooled, b.length, random))) extreme++;
  }
  // The observed split counts as one of the draws, so p is never 0 (Phipson & Smyth).
  return (extreme + 1) / (options.resamples + 1);
}

/** The smallest p-value the test can give for these sample counts: above the threshold, no verdict is possible. */
export function smallestPValue(countA: number, countB: number): number {
  // The observed split and its mirror image (equal sizes) are always at least as extreme.
  return Math.min(1, (countA === countB ? 2 : 1) / binomial(countA + countB, countB));
}

export function mean(values: number[]): number {
  return sum(values) / values.length;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

function forEachSubsetSum(values: number[], size: number, visit: (sumOfSubset: number) => void): void {
  const walk = (start: number, left: number, partial: number): void => {
    if (left === 0) return visit(partial);
    for (let i = start; i <= values.length - left; i++) walk(i + 1, left - 1, partial + values[i]!);
  };
  walk(0, size, 0);
}

/** Partial Fisher–Yates: the first `size` slots of a shuffled copy. */
function randomSubsetSum(values: number[], size: number, random: () => number): number {
  const pool = [...values];
  let partial = 0;
  for (let i = 0; i < size; i++) {
    const pick = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[pick]] = [pool[pick]!, pool[i]!];
    partial += pool[i]!;
  }
  return partial;
}

/** A small seeded generator; Math.random cannot be seeded. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
