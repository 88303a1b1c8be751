/**
 * "Kept making progress through a window" judged from the worker's own clock: the times at which it
 * logged each step, read afterwards. Host-side samples of a counter cannot say it: two samples taken
 * close together (the last one right after the work ended) see no step from a healthy worker that
 * was simply between steps.
 */

export interface ProgressGap {
  /** Longest stretch of the window without a step, in the worker's clock units. */
  longest: number;
  /** Where that stretch began. */
  from: number;
  /** Steps logged inside the window. */
  steps: number;
}

/**
 * The longest stretch without a step inside [windowStart, windowEnd], counting the window's edges as
 * boundaries: a worker that logged nothing in the window has a gap as long as the window.
 */
export function longestProgressGap(stepTimes: readonly number[], windowStart: number, windowEnd: number): ProgressGap {
  if (!(windowEnd >= windowStart)) throw new Error(`a window that ends (${windowEnd}) before it starts (${windowStart})`);
  const inside = stepTimes.filter((time) => time > windowStart && time < windowEnd).sort((a, b) => a - b);
  const boundaries = [windowStart, ...inside, windowEnd];
  let gap: ProgressGap = { longest: 0, from: windowStart, steps: inside.length };
  for (let index = 1; index < boundaries.length; index++) {
    const length = boundaries[index]! - boundaries[index - 1]!;
    if (length > gap.longest) gap = { ...gap, longest: length, from: boundaries[index - 1]! };
  }
  return gap;
}
