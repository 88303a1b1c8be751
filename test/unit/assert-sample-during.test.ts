import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { sampleDuring } from '../../harness/assert/sample-during.ts';

describe('sampling a value while work runs', () => {
  it('samples before, during and after the work, and returns its result', async () => {
    let counter = 0;
    const { result, samples } = await sampleDuring(
      async () => {
        await sleep(120);
        return 'done';
      },
      async () => ++counter,
      30,
    );
    expect(result).toBe('done');
    expect(samples.length).toBeGreaterThanOrEqual(4);
    expect(samples.map((sample) => sample.value)).toEqual(samples.map((_, index) => index + 1));
    expect(samples[0]!.atMs).toBeLessThanOrEqual(samples.at(-1)!.atMs);
  });

  it('takes the first sample before the work starts', async () => {
    const events: string[] = [];
    await sampleDuring(
      async () => {
        events.push('work');
      },
      async () => {
        events.push('sample');
      },
      1_000,
    );
    expect(events).toEqual(['sample', 'work', 'sample']);
  });

  it("rethrows the work's error once the work has ended", async () => {
    await expect(sampleDuring(() => Promise.reject(new Error('fill failed')), async () => 0, 10)).rejects.toThrow('fill failed');
  });

  it('waits for the work to end before reporting a failed probe', async () => {
    let workEnded = false;
    let calls = 0;
    const sampling = sampleDuring(
      async () => {
        await sleep(80);
        workEnded = true;
      },
      async () => {
        if (++calls === 2) throw new Error('probe failed');
        return calls;
      },
      10,
    );
    await expect(sampling).rejects.toThrow('probe failed');
    expect(workEnded).toBe(true);
  });
});
