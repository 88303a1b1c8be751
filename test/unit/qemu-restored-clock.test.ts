/** A restored guest's clock is set to the host's nearest whole second (busybox date sets no less). */
import { describe, expect, it } from 'vitest';
import { clockSetCommand } from '../../harness/runtime/qemu/restored-guest.ts';

describe('the restored guest clock', () => {
  it('is set to the whole second nearest the host time at the send', () => {
    expect(clockSetCommand(1_796_605_473_499)).toBe('date -s @1796605473 >/dev/null');
    expect(clockSetCommand(1_796_605_473_500)).toBe('date -s @1796605474 >/dev/null');
  });
});
