import { describe, expect, it } from 'vitest';
import { ACCELERATOR_SLOWDOWN, deadlineMs } from '../../harness/config/constants.ts';

describe('deadlineMs', () => {
  it('keeps a KVM deadline on hardware accelerators and stretches it under TCG', () => {
    expect(deadlineMs(1_000, 'kvm')).toBe(1_000);
    expect(deadlineMs(1_000, 'hvf')).toBe(1_000);
    expect(deadlineMs(1_000, 'tcg')).toBe(1_000 * ACCELERATOR_SLOWDOWN.tcg);
  });

  it('rounds to whole milliseconds', () => {
    expect(Number.isInteger(deadlineMs(333.3, 'tcg'))).toBe(true);
  });
});
