import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../harness/wait/poll.ts';

const never = <T>(): Promise<T> => new Promise<T>(() => {});

describe('pollUntil', () => {
  it('returns the first value that satisfies the condition', async () => {
    let calls = 0;
    const value = await pollUntil(async () => ++calls, (n) => n >= 3, { timeoutMs: 1_000, intervalMs: 1, what: 'counter' });
    expect(value).toBe(3);
    expect(calls).toBe(3);
  });

  it('names the condition, the deadline and the last value when it is not reached', async () => {
    let calls = 0;
    await expect(pollUntil(async () => ({ free: ++calls }), () => false, { timeoutMs: 50, intervalMs: 5, what: 'free space recovered' })).rejects.toThrow(
      /^free space recovered: not reached within 0\.05s; last value: \{ free: \d+ \}$/,
    );
    expect(calls).toBeGreaterThan(1);
  });

  it('includes the last error when the probe kept throwing', async () => {
    const failing = pollUntil(
      async () => {
        throw new Error('agent not connected');
      },
      () => true,
      { timeoutMs: 30, intervalMs: 5, what: 'exec answers' },
    );
    await expect(failing).rejects.toThrow('exec answers: not reached within 0.03s; last value: none; last error: agent not connected');
  });

  it('keeps its deadline when a probe hangs', async () => {
    const started = performance.now();
    await expect(pollUntil(never, () => true, { timeoutMs: 60, what: 'hung probe' })).rejects.toThrow(/still running at the deadline$/);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('abandons an attempt that outlives attemptTimeoutMs and tries again', async () => {
    let calls = 0;
    const value = await pollUntil(async () => (++calls === 1 ? never<string>() : 'answered'), (v) => v === 'answered', {
      timeoutMs: 1_000,
      intervalMs: 1,
      attemptTimeoutMs: 20,
      what: 'second attempt',
    });
    expect(value).toBe('answered');
    expect(calls).toBe(2);
  });

  it('counts attempts it abandoned when none ever answered', async () => {
    const failing = pollUntil(never, () => true, { timeoutMs: 100, intervalMs: 1, attemptTimeoutMs: 20, what: 'stuck agent' });
    await expect(failing).rejects.toThrow(/^stuck agent: not reached within 0\.1s; last value: none; [2-5] probe\(s\) did not answer within 0\.02s/);
  });
});
