import { describe, expect, it } from 'vitest';
import { expectReleasedWithin } from '../../harness/assert/released-within.ts';

const MiB = 1024 * 1024;

describe('space released within a window', () => {
  it('polls until enough of the growth is gone and returns that reading', async () => {
    const readings = [200 * MiB, 120 * MiB, 10 * MiB];
    const after = await expectReleasedWithin(async () => readings.shift() ?? 10 * MiB, {
      before: 0,
      grown: 200 * MiB,
      fraction: 0.9,
      windowMs: 2_000,
      what: 'overlay',
    });
    expect(after).toBe(10 * MiB);
    expect(readings).toEqual([]);
  });

  it('fails with the last reading when the window ends first', async () => {
    await expect(
      expectReleasedWithin(async () => 150 * MiB, { before: 0, grown: 200 * MiB, fraction: 0.9, windowMs: 100, what: 'overlay' }),
    ).rejects.toThrow(/overlay \(within 0\.1 s\): expected ≥ 90% of its growth released; .* now 150\.0 MiB: released 25%/);
  });

  it('refuses to judge a release when nothing grew', async () => {
    await expect(
      expectReleasedWithin(async () => MiB, { before: MiB, grown: MiB, fraction: 0.9, windowMs: 100, what: 'overlay' }),
    ).rejects.toThrow(/did not grow/);
  });
});
