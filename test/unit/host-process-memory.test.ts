import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { memoryDuring } from '../../harness/host/process-memory.ts';

describe('memoryDuring', () => {
  it('sees memory the work holds while it runs, and returns its result', async () => {
    const bytes = 64 * 1024 * 1024;
    const measured = await memoryDuring(async () => {
      const held = Buffer.alloc(bytes, 1);
      await sleep(60);
      return held.length;
    }, 10);
    expect(measured.result).toBe(bytes);
    expect(measured.growth.arrayBuffers).toBeGreaterThanOrEqual(bytes);
    expect(measured.peak.arrayBuffers - measured.before.arrayBuffers).toBe(measured.growth.arrayBuffers);
  });

  it('counts what the result still holds when the work ends between two samples', async () => {
    const bytes = 32 * 1024 * 1024;
    const measured = await memoryDuring(async () => Buffer.alloc(bytes, 1), 60_000);
    expect(measured.growth.arrayBuffers).toBeGreaterThanOrEqual(bytes);
    expect(measured.result.length).toBe(bytes);
  });

  it('passes the failure of the work on', async () => {
    await expect(memoryDuring(() => Promise.reject(new Error('work failed')), 10)).rejects.toThrow('work failed');
  });
});
