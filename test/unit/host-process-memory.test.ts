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
    // Not ≥ bytes: the test runner's own objects may be collected meanwhile.
    expect(measured.growth.external).toBeGreaterThan(bytes * 0.9);
    expect(measured.peak.live - measured.before.live).toBe(measured.growth.live);
  });

  it('counts what the result still holds when the work ends between two samples', async () => {
    const bytes = 32 * 1024 * 1024;
    const measured = await memoryDuring(async () => Buffer.alloc(bytes, 1), 60_000);
    expect(measured.growth.external).toBeGreaterThan(bytes * 0.9);
    expect(measured.result.length).toBe(bytes);
  });

  it('does not count garbage the work left behind, nor memory freed before it', async () => {
    const bytes = 64 * 1024 * 1024;
    // Freed before the measurement starts: resident, but not held (an earlier case's high-water mark).
    Buffer.alloc(bytes, 1);
    const measured = await memoryDuring(async () => {
      for (let i = 0; i < 8; i++) Buffer.alloc(bytes / 8, 1);
      await sleep(60);
      return 'done';
    }, 10);
    expect(measured.growth.live).toBeLessThan(bytes / 8);
  });

  it('passes the failure of the work on', async () => {
    await expect(memoryDuring(() => Promise.reject(new Error('work failed')), 10)).rejects.toThrow('work failed');
  });
});
