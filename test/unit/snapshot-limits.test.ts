/**
 * agent-reconnects-after-restore reads its agent's read timeout from the HELLO window: on every
 * accelerator a host that waits for the restored agent's greeting must be late at the first exec, not
 * refused at create, or its fault test proves nothing there.
 */
import { describe, expect, it } from 'vitest';
import { AGENT, deadlineMs } from '../../harness/config/constants.ts';
import type { Accelerator } from '../../harness/contract/run-target.ts';
import { reconnectReadTimeoutSeconds } from '../../suites/snapshot/limits.ts';

const ACCELERATORS: Accelerator[] = ['kvm', 'hvf', 'tcg'];

describe('agent-reconnects-after-restore read timeout', () => {
  it.each(ACCELERATORS)('on %s, the restored agent greets within the HELLO window', (accel) => {
    const readTimeoutMs = reconnectReadTimeoutSeconds(accel) * 1000;
    expect(readTimeoutMs).toBeLessThan(deadlineMs(AGENT.helloAfterPortOpenMs, accel));
    expect(Number.isInteger(reconnectReadTimeoutSeconds(accel)), 'the agent takes whole seconds').toBe(true);
  });

  it('gives 1 s on KVM and HVF, 6 s under TCG', () => {
    expect(ACCELERATORS.map(reconnectReadTimeoutSeconds)).toEqual([1, 1, 6]);
  });
});
