import { describe, expect, it } from 'vitest';
import { kernelLogProblems } from '../../harness/assert/kernel-log.ts';

const HEALTHY_BOOT = [
  '[    0.257672] rcu: Preemptible hierarchical RCU implementation.',
  '[    0.258024] rcu: RCU calculated value of scheduler-enlistment delay is 25 jiffies.',
  '[    9.742901] virtio_balloon virtio3: Out of puff! Can\'t get 1 pages',
].join('\n');

describe('kernelLogProblems', () => {
  it('finds nothing in a healthy boot log, RCU setup lines included', () => {
    expect(kernelLogProblems(HEALTHY_BOOT)).toEqual([]);
  });

  it('reports a stack trace, a soft lockup and an RCU stall, one line each', () => {
    const log = [
      HEALTHY_BOOT,
      '[  134.128693] Call Trace:',
      '[  200.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [tail:296]',
      '[  300.000000] rcu: INFO: rcu_preempt self-detected stall on CPU',
    ].join('\n');
    expect(kernelLogProblems(log)).toEqual([
      'Call Trace: [  134.128693] Call Trace:',
      'soft lockup: [  200.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [tail:296]',
      'RCU stall: [  300.000000] rcu: INFO: rcu_preempt self-detected stall on CPU',
    ]);
  });
});
