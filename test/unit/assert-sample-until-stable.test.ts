import { describe, expect, it } from 'vitest';
import { heldStill, relativeChange, sampleUntilStable } from '../../harness/assert/sample-until-stable.ts';

function sequence(...values: number[]): () => Promise<number> {
  let next = 0;
  return async () => values[Math.min(next++, values.length - 1)]!;
}

describe('sampleUntilStable', () => {
  it('returns once four samples in a row stay within 1% of each other', async () => {
    const result = await sampleUntilStable(sequence(400, 300, 250, 249, 249, 248.5, 100), { timeoutMs: 1_000, intervalMs: 1, what: 'rss' });
    expect(result.value).toBe(248.5);
    expect(result.points.map((point) => point.value)).toEqual([400, 300, 250, 249, 249, 248.5]);
  });

  it('is not fooled by one small step of a slow drift', async () => {
    // Each step is under 1%, the drift over four samples is not: a single pair would call 130 settled.
    const result = await sampleUntilStable(sequence(131, 130, 129, 128, 127, 126, 126, 126), { timeoutMs: 1_000, intervalMs: 1, what: 'balloon actual' });
    expect(result.value).toBe(126);
    expect(result.points).toHaveLength(8);
  });

  it('takes a custom threshold and sample count', async () => {
    const result = await sampleUntilStable(sequence(100, 95, 94), { timeoutMs: 1_000, intervalMs: 1, maxRelativeChange: 0.1, settledSamples: 2, what: 'rss' });
    expect(result.value).toBe(95);
  });

  it('with a threshold of 0, only identical samples hold still', async () => {
    const result = await sampleUntilStable(sequence(128.5, 128.25, 128, 128, 128), { timeoutMs: 1_000, intervalMs: 1, maxRelativeChange: 0, settledSamples: 3, what: 'actual' });
    expect(result.points.map((point) => point.value)).toEqual([128.5, 128.25, 128, 128, 128]);
  });

  it('refuses a window of fewer than two samples', async () => {
    await expect(sampleUntilStable(sequence(1), { timeoutMs: 10, intervalMs: 1, settledSamples: 1, what: 'x' })).rejects.toThrow(/x: settledSamples must be an integer ≥ 2 \(got 1\)/);
  });

  it('names the measurement and its last samples when it never settles', async () => {
    let value = 100;
    const growing = async () => (value *= 2);
    await expect(sampleUntilStable(growing, { timeoutMs: 20, intervalMs: 5, what: 'VMM memory' })).rejects.toThrow(
      /^VMM memory: did not settle \(4 samples in a row within 1%\) within 20 ms; last samples: (\d+, ){4}\d+$/,
    );
  });

  it('stamps every sample with the wall clock', async () => {
    const before = Date.now();
    const result = await sampleUntilStable(sequence(7), { timeoutMs: 1_000, intervalMs: 1, what: 'x' });
    expect(result.points.every((point) => point.atMs >= before && point.atMs <= Date.now())).toBe(true);
  });
});

describe('heldStill', () => {
  it('judges the spread of the last samples against the lowest of them', () => {
    expect(heldStill([500, 200, 201, 202], 3, 0.01)).toBe(true);
    expect(heldStill([200, 201, 203], 3, 0.01)).toBe(false);
    expect(heldStill([200, 200], 3, 0.01)).toBe(false);
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
