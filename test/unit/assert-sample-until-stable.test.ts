import { describe, expect, it } from 'vitest';
import { relativeChange, sampleUntilStable } from '../../harness/assert/sample-until-stable.ts';

function sequence(...values: number[]): () => Promise<number> {
  let next = 0;
  return async () => values[Math.min(next++, values.length - 1)]!;
}

describe('sampleUntilStable', () => {
  it('returns the first sample that differs from the one before by less than 1%', async () => {
    const result = await sampleUntilStable(sequence(400, 300, 250, 249, 100), { timeoutMs: 1_000, intervalMs: 1, what: 'rss' });
    expect(result.value).toBe(249);
    expect(result.points.map((point) => point.value)).toEqual([400, 300, 250, 249]);
  });

  it('takes a custom threshold', async () => {
    const result = await sampleUntilStable(sequence(100, 95, 94), { timeoutMs: 1_000, intervalMs: 1, maxRelativeChange: 0.1, what: 'rss' });
    expect(result.value).toBe(95);
  });

  it('names the measurement and its last samples when it never settles', async () => {
    let value = 100;
    const growing = async () => (value *= 2);
    await expect(sampleUntilStable(growing, { timeoutMs: 20, intervalMs: 5, what: 'VMM memory' })).rejects.toThrow(
      /^VMM memory: did not settle \(change < 1% between samples\) within 20 ms; last samples: (\d+, ){4}\d+$/,
    );
  });

  it('stamps every sample with the wall clock', async () => {
    const before = Date.now();
    const result = await sampleUntilStable(sequence(7, 7), { timeoutMs: 1_000, intervalMs: 1, what: 'x' });
    expect(result.points.every((point) => point.atMs >= before && point.atMs <= Date.now())).toBe(true);
  });
});

describe('relativeChange', () => {
  it('is the change as a share of the earlier value, whatever its direction', () => {
    expect(relativeChange(200, 202)).toBeCloseTo(0.01);
    expect(relativeChange(200, 198)).toBeCloseTo(0.01);
    expect(relativeChange(0, 0)).toBe(0);
    expect(relativeChange(0, 1)).toBe(Infinity);
  });
});
