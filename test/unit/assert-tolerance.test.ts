import { describe, expect, it } from 'vitest';
import { expectAtLeast, expectAtMost, expectWithin, withinTolerance } from '../../harness/assert/tolerance.ts';

describe('tolerance', () => {
  it('withinTolerance includes the edges and nothing beyond', () => {
    expect(withinTolerance(266, 256, 10)).toBe(true);
    expect(withinTolerance(246, 256, 10)).toBe(true);
    expect(withinTolerance(266.5, 256, 10)).toBe(false);
    expect(withinTolerance(Number.NaN, 256, 10)).toBe(false);
    expect(() => withinTolerance(1, 1, -1)).toThrow(RangeError);
  });

  it('expectWithin names the range, the value and the unit', () => {
    expect(() => expectWithin(256, 246, 266, 'balloon actual', 'MiB')).not.toThrow();
    expect(() => expectWithin(300, 246, 266, 'balloon actual', 'MiB')).toThrow('balloon actual: expected 246–266 MiB, saw 300 MiB');
    expect(() => expectWithin(1, 5, 2, 'swapped bounds')).toThrow(RangeError);
  });

  it('expectAtLeast and expectAtMost fail past their bound, and on NaN', () => {
    expect(() => expectAtLeast(50, 50, 'MemAvailable drop', 'MiB')).not.toThrow();
    expect(() => expectAtLeast(49.25, 50, 'MemAvailable drop', 'MiB')).toThrow('MemAvailable drop: expected ≥ 50 MiB, saw 49.25 MiB');
    expect(() => expectAtLeast(Number.NaN, 0, 'free space')).toThrow('free space: expected ≥ 0, saw NaN');
    expect(() => expectAtMost(1.4, 1.5, 'second fill ratio')).not.toThrow();
    expect(() => expectAtMost(1 / 3 + 2, 1.5, 'second fill ratio', '×')).toThrow('second fill ratio: expected ≤ 1.5 ×, saw 2.33333 ×');
  });
});
