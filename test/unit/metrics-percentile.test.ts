import { describe, expect, it } from 'vitest';
import { percentile } from '../../harness/metrics/percentile.ts';

describe('percentile (nearest rank)', () => {
  it('picks a measured sample, whatever the input order', () => {
    const samples = [40, 10, 30, 20];
    expect(percentile(samples, 50)).toBe(20);
    expect(percentile(samples, 75)).toBe(30);
    expect(percentile(samples, 100)).toBe(40);
    expect(samples).toEqual([40, 10, 30, 20]);
  });

  it('gives the slowest sample as p99 of fewer than a hundred samples', () => {
    expect(percentile([5, 1, 9, 3], 99)).toBe(9);
  });

  it('gives p99 below the maximum once there are enough samples', () => {
    const samples = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(percentile(samples, 99)).toBe(198);
    expect(percentile(samples, 50)).toBe(100);
  });

  it('rejects no samples and percentiles outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(/no samples/);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});
