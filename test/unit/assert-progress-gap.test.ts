import { describe, expect, it } from 'vitest';
import { longestProgressGap } from '../../harness/assert/progress-gap.ts';

describe('the longest stretch without progress in a window', () => {
  it('is the longest distance between steps, edges included', () => {
    expect(longestProgressGap([10.05, 10.17, 10.29, 10.9, 11.02], 10.0, 11.1)).toMatchObject({ steps: 5 });
    const gap = longestProgressGap([10.05, 10.17, 10.29, 10.9, 11.02], 10.0, 11.1);
    expect(gap.longest).toBeCloseTo(0.61);
    expect(gap.from).toBeCloseTo(10.29);
  });

  it('ignores steps outside the window and reads unsorted logs', () => {
    const gap = longestProgressGap([12, 3, 5.5, 5, 4.5, 1], 4, 6);
    expect(gap.steps).toBe(3);
    expect(gap.longest).toBeCloseTo(0.5);
  });

  it('a healthy worker between steps when the window closes has no gap longer than its period', () => {
    // The flake this replaces: the last host sample came 76 ms after the one before, between two
    // appends 120 ms apart, and read as a stall.
    const appends = Array.from({ length: 50 }, (_, index) => 100 + index * 0.12);
    expect(longestProgressGap(appends, 100.5, 105.076).longest).toBeLessThanOrEqual(0.12 + 1e-9);
  });

  it('a worker that logged nothing in the window stalled for all of it', () => {
    expect(longestProgressGap([1, 2, 9], 3, 8)).toEqual({ longest: 5, from: 3, steps: 0 });
  });

  it('refuses a window that ends before it starts', () => {
    expect(() => longestProgressGap([1], 5, 4)).toThrow(/ends \(4\) before it starts \(5\)/);
  });
});
