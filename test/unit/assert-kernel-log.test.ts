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

  // Excerpts in the shape x86_64 and arm64 kernels of the 6.1 line print them.
  it('reads an x86_64 NULL pointer oops', () => {
    const log = [
      '[   42.118034] BUG: kernel NULL pointer dereference, address: 0000000000000008',
      '[   42.118290] #PF: supervisor write access in kernel mode',
      '[   42.118901] Oops: 0002 [#1] PREEMPT SMP NOPTI',
      '[   42.119502] RIP: 0010:balloon_page_dequeue+0x4d/0x120',
      '[   42.121733] Call Trace:',
      '[   42.121860]  <TASK>',
    ].join('\n');
    expect(kernelLogProblems(log).map((line) => line.split(':')[0])).toEqual(['BUG', 'Oops', 'Call Trace']);
  });

  it('reads an arm64 oops, whose stack dump says "Call trace:" in lower case', () => {
    const log = [
      '[   51.220417] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008',
      '[   51.221630] Mem abort info:',
      '[   51.224381] Internal error: Oops: 96000045 [#1] SMP',
      '[   51.226109] pc : virtballoon_migratepage+0x44/0x1b0 [virtio_balloon]',
      '[   51.229377] Call trace:',
      '[   51.229534]  virtballoon_migratepage+0x44/0x1b0 [virtio_balloon]',
    ].join('\n');
    expect(kernelLogProblems(log).map((line) => line.split(':')[0])).toEqual(['kernel fault', 'Oops', 'Call trace']);
  });

  it('reads a panic, a hung task, a hard lockup and a general protection fault', () => {
    const log = [
      '[  245.601330] INFO: task jbd2/vda-8:97 blocked for more than 120 seconds.',
      '[  245.602011]       Not tainted 6.1.0-57-cloud-amd64 #1 Debian 6.1.158-1',
      '[  300.000000] NMI watchdog: Watchdog detected hard LOCKUP on cpu 1',
      '[  310.000000] general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] PREEMPT SMP NOPTI',
      '[  320.000000] Kernel panic - not syncing: Out of memory and no killable processes...',
    ].join('\n');
    expect(kernelLogProblems(log).map((line) => line.split(':')[0])).toEqual(['hung task', 'hard lockup', 'kernel fault', 'kernel panic']);
  });

  it('does not mistake ordinary words for problems', () => {
    const log = [
      '[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd083]',
      '[    0.312000] debug: unmapping init [mem 0xffffffffa0f3f000-0xffffffffa0ffffff]',
      '[    3.100000] EXT4-fs (vda): mounted filesystem with ordered data mode. Quota mode: none.',
      '[    9.100000] virtio_balloon virtio2: Out of puff! Can\'t get 1 pages',
    ].join('\n');
    expect(kernelLogProblems(log)).toEqual([]);
  });

  it("reports arm64's stack dump, whose header says `Call trace:` (a real excerpt, sysrq-l on the aarch64 guest)", () => {
    const arm64 = [
      '[    2.188215] EXT4-fs (vda): mounted filesystem with ordered data mode. Quota mode: none.',
      '[    3.550353] sysrq: Show backtrace of all active CPUs',
      '[    3.556636] sysrq: CPU0:',
      '[    3.556791] Call trace:',
      '[    3.556972]  dump_backtrace+0xe4/0x140',
      '[    3.557355]  show_stack+0x20/0x30',
      '[    3.557403]  sysrq_handle_showallcpus+0xa4/0xb0',
      '[    3.557587]  invoke_syscall+0x68/0xe0',
      '[    3.557662]  el0t_64_sync+0x18c/0x190',
    ].join('\n');
    expect(kernelLogProblems(arm64)).toEqual(['Call trace: [    3.556791] Call trace:']);
  });
});
