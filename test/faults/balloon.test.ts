/**
 * Each balloon fault must turn its cases red: the very check the suite runs, run on a VM with the
 * fault, must throw (and throw for the reason the fault causes, not some other one).
 */
import { readFileSync } from 'node:fs';
import type { TestContext } from 'vitest';
import { BALLOON } from '../../suites/balloon/limits.ts';
import { describe, expect, test } from '../../harness/vitest/vm-test.ts';
import { BalloonTimeoutError } from '../../harness/contract/balloon-errors.ts';
import { balloonVm, DEFLATE_ON_OOM_VM, FREE_PAGE_REPORTING_VM, GUEST_STATS_VM, HOST_MEMORY_VM } from '../../suites/balloon/balloon-vm.ts';
import {
  checkAllocAtFullSize,
  checkControlDoubleClose,
  checkControlDoubleConnect,
  checkControlNotConnected,
  checkDeflateAboveMaxClamps,
  checkDeflateOnOom,
  checkDeflateRestoresAllocation,
  checkFreePageReporting,
  checkGuestStats,
  checkHostRssReclaim,
  checkInflateBelowMinimumClamps,
  checkInflateIdempotent,
  checkInflateReducesAvailable,
  checkInflateUnderPressure,
  checkRandomTargetSoak,
  checkRapidCycles,
  checkWarmPoolLifecycle,
} from '../../suites/balloon/checks.ts';

describe('balloon faults', () => {
  test('balloon-driver-missing fails inflate-reduces-available', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { faults: ['balloon-driver-missing'] });
    await expect(checkInflateReducesAvailable(subject)).rejects.toThrow(BalloonTimeoutError);
  });

  test('balloon-driver-missing fails warm-pool-lifecycle', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { faults: ['balloon-driver-missing'] });
    await expect(checkWarmPoolLifecycle(subject)).rejects.toThrow(BalloonTimeoutError);
  });

  test('no-free-page-reporting fails free-page-reporting', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { ...FREE_PAGE_REPORTING_VM, faults: ['no-free-page-reporting'] });
    await expect(checkFreePageReporting(subject)).rejects.toThrow(/VMM host memory back within .* not reached/);
  });

  test('no-deflate-on-oom fails deflate-on-oom', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { ...DEFLATE_ON_OOM_VM, faults: ['no-deflate-on-oom'] });
    await expect(checkDeflateOnOom(subject)).rejects.toThrow(/failed \(OOM:\d+\)/);
  });

  // Without its driver the guest never moves the balloon: every case that inflates waits in vain.
  const inflateNeverArrives = /balloon inflate to \d+ MiB .*: not reached/;

  test('balloon-driver-missing fails deflate-restores-allocation', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { faults: ['balloon-driver-missing'] });
    await expect(checkDeflateRestoresAllocation(subject)).rejects.toThrow(inflateNeverArrives);
  });

  test('balloon-driver-missing fails rapid-cycles', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { faults: ['balloon-driver-missing'] });
    await expect(checkRapidCycles(subject)).rejects.toThrow(inflateNeverArrives);
  });

  test('balloon-driver-missing fails inflate-idempotent', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { faults: ['balloon-driver-missing'] });
    await expect(checkInflateIdempotent(subject)).rejects.toThrow(inflateNeverArrives);
  });

  test('balloon-driver-missing fails inflate-under-pressure', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { faults: ['balloon-driver-missing'] });
    await expect(checkInflateUnderPressure(subject)).rejects.toThrow(inflateNeverArrives);
  });

  test('balloon-driver-missing fails random-target-soak', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { faults: ['balloon-driver-missing'] });
    await expect(checkRandomTargetSoak(subject)).rejects.toThrow(inflateNeverArrives);
  });

  test('vmm-default-memory fails alloc-at-full-size', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { faults: ['vmm-default-memory'] });
    await expect(checkAllocAtFullSize(subject)).rejects.toThrow(/balloon actual of a fresh VM \(deflated\): expected 240–272 MiB, saw 128 MiB/);
  });

  test('no-balloon-floor fails inflate-below-minimum-clamps', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { faults: ['no-balloon-floor'] });
    // Sent on as asked, 16 MiB takes the balloon through the floor the control reports (and on until the
    // guest starves): the first reading below the floor less the tolerance fails the case.
    await expect(checkInflateBelowMinimumClamps(subject)).rejects.toThrow(/balloon actual after inflating to 16 MiB \(the runtime's floor: 128 MiB\): expected ≥ 112 MiB, saw \d+(\.\d+)? MiB/);
  });

  test('balloon-drops-target-above-memory fails deflate-above-max-clamps', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { faults: ['balloon-drops-target-above-memory'] });
    await expect(checkDeflateAboveMaxClamps(subject)).rejects.toThrow(/balloon actual after deflating to 2× memory: expected 240–272 MiB, saw 1[1-4]\d(\.\d+)? MiB/);
  });

  test('balloon-control-untracked fails control-not-connected', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { faults: ['balloon-control-untracked'] });
    await expect(checkControlNotConnected(subject)).rejects.toThrow(/query on a control that never connected.*BalloonNotConnectedError/s);
  });

  test('balloon-control-untracked fails control-double-connect', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { faults: ['balloon-control-untracked'] });
    // The monitor serves one client: a second dial while the first holds it never gets a greeting.
    await expect(checkControlDoubleConnect(subject)).rejects.toThrow(/no QMP greeting .* \(another client holds the monitor\?\)/);
  });

  test('balloon-control-untracked fails control-double-close', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { faults: ['balloon-control-untracked'] });
    await expect(checkControlDoubleClose(subject)).rejects.toThrow(TypeError);
  });

  test('guest-memory-locked fails host-rss-reclaim', async ({ vm, runtime, run, task, skip }) => {
    if (process.platform === 'linux' && !canLockMemory(BALLOON.memoryMiB * 2 * 1024 * 1024)) skip('this host lets no process lock the guest memory (CAP_IPC_LOCK or RLIMIT_MEMLOCK)');
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { ...HOST_MEMORY_VM, faults: ['guest-memory-locked'] });
    await expect(checkHostRssReclaim(subject)).rejects.toThrow(/VMM host memory reclaimed by inflating to 128 MiB .*: expected ≥ 76\.8 MiB/);
  });

  test('no-balloon-stats-polling fails guest-stats', async ({ vm, runtime, run, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, run, task, skip }, { ...GUEST_STATS_VM, faults: ['no-balloon-stats-polling'] });
    await expect(checkGuestStats(subject)).rejects.toThrow(/guest stats (report free and total memory|refreshed after last-update \d+): not reached/);
  });

  // The one way a balloon case may skip: the VM has no balloon, and the runtime says so.
  test('a VM without a balloon device makes a balloon case skip, naming the capability', async ({ vm, runtime, run, task }) => {
    const notes: string[] = [];
    const skip = ((note: string) => {
      notes.push(note);
      throw new Error('skipped');
    }) as TestContext['skip'];
    await expect(balloonVm({ vm, runtime, run, task, skip }, { balloon: false })).rejects.toThrow('skipped');
    expect(notes).toEqual([expect.stringMatching(/lacks capability: balloon$/)]);
  });
});

/** Whether QEMU started from here may lock `bytes` of memory: CAP_IPC_LOCK, or a large enough RLIMIT_MEMLOCK (Linux). */
function canLockMemory(bytes: number): boolean {
  const CAP_IPC_LOCK = 14n;
  const status = readFileSync('/proc/self/status', 'utf8');
  const effective = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0'}`);
  if ((effective >> CAP_IPC_LOCK) & 1n) return true;
  const limit = /^Max locked memory\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
  return limit === 'unlimited' || Number(limit) >= bytes;
}
