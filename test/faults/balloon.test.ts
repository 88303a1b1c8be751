/**
 * Each balloon fault must turn its case red at the claim it breaks: the very check the suite runs, run
 * on a VM with the fault, must fail at that named claim (proves), not time out or stop anywhere else.
 */
import { readFileSync } from 'node:fs';
import type { TestContext } from 'vitest';
import { BALLOON } from '../../suites/balloon/limits.ts';
import { describe, expect, test } from '../../harness/vitest/vm-test.ts';
import { proves } from '../../harness/vitest/proof.ts';
import type { Fault } from '../../harness/contract/faults.ts';
import type { BalloonSubject } from '../../suites/balloon/balloon-meter.ts';
import {
  balloonVm,
  DEFLATE_ON_OOM_VM,
  FREE_PAGE_REPORTING_VM,
  GUEST_STATS_VM,
  HOST_MEMORY_VM,
  type BalloonCaseContext,
  type BalloonVmOptions,
} from '../../suites/balloon/balloon-vm.ts';
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

/** The balloon VM a case runs on, with `fault`. */
function faultyVm(context: BalloonCaseContext, fault: Fault, options: BalloonVmOptions = {}): Promise<BalloonSubject> {
  return balloonVm(context, { ...options, faults: [fault] });
}

describe('balloon faults', () => {
  // The VMM keeps its default 128 MiB: the fresh balloon reads half the VM's memory, and 150 MiB cannot fit.
  proves('vmm-default-memory', 'alloc-at-full-size/deflated-at-boot', async (context) => checkAllocAtFullSize(await faultyVm(context, 'vmm-default-memory')));
  proves('vmm-default-memory', 'warm-pool-lifecycle/allocates-at-full-size', async (context) => checkWarmPoolLifecycle(await faultyVm(context, 'vmm-default-memory')));

  // The control answers before the guest has moved the balloon: the reading right after is still near full size.
  proves('balloon-move-returns-early', 'inflate-reduces-available/actual-within-target', async (context) =>
    checkInflateReducesAvailable(await faultyVm(context, 'balloon-move-returns-early')),
  );

  // The control says the balloon is at the target; the guest never gave anything.
  proves('balloon-reports-target-reached', 'inflate-reduces-available/available-drops', async (context) =>
    checkInflateReducesAvailable(await faultyVm(context, 'balloon-reports-target-reached')),
  );
  proves('balloon-reports-target-reached', 'warm-pool-lifecycle/idle-available-within-target', async (context) =>
    checkWarmPoolLifecycle(await faultyVm(context, 'balloon-reports-target-reached')),
  );

  proves('balloon-move-returns-target', 'warm-pool-lifecycle/inflate-returns-previous', async (context) =>
    checkWarmPoolLifecycle(await faultyVm(context, 'balloon-move-returns-target')),
  );

  // Deflating to the full 256 MiB asks for 128 MiB: the guest stays parked, and 150 MiB does not fit.
  proves('deflate-returns-less', 'deflate-restores-allocation/allocates-after-deflate', async (context) =>
    checkDeflateRestoresAllocation(await faultyVm(context, 'deflate-returns-less')),
  );
  proves('deflate-returns-less', 'warm-pool-lifecycle/allocates-after-deflate', async (context) =>
    checkWarmPoolLifecycle(await faultyVm(context, 'deflate-returns-less')),
  );

  // Sent on as asked, 16 MiB takes the balloon through the floor the control reports (and on until the
  // guest starves): the first reading below the floor less the tolerance fails the case.
  proves('no-balloon-floor', 'inflate-below-minimum-clamps/stays-above-floor', async (context) =>
    checkInflateBelowMinimumClamps(await faultyVm(context, 'no-balloon-floor')),
  );

  proves('balloon-drops-target-above-memory', 'deflate-above-max-clamps/actual-at-memory', async (context) =>
    checkDeflateAboveMaxClamps(await faultyVm(context, 'balloon-drops-target-above-memory')),
  );

  // Asked for 192 MiB, the control sends 64 MiB, floored at 128: the guest has no room left for the
  // 100 MiB holder, and its OOM killer takes the largest process.
  proves('balloon-target-as-size', 'inflate-under-pressure/holder-alive', async (context) =>
    checkInflateUnderPressure(await faultyVm(context, 'balloon-target-as-size')),
  );

  // Every move ends with the VM paused, so the guest answers nothing after a case's last move; the
  // balloon query, which the VMM answers, still works.
  proves('balloon-move-leaves-vm-paused', 'random-target-soak/guest-answers', async (context) =>
    checkRandomTargetSoak(await faultyVm(context, 'balloon-move-leaves-vm-paused')),
  );
  proves('balloon-move-leaves-vm-paused', 'rapid-cycles/guest-answers', async (context) => checkRapidCycles(await faultyVm(context, 'balloon-move-leaves-vm-paused')));
  proves('balloon-move-leaves-vm-paused', 'inflate-idempotent/guest-answers', async (context) =>
    checkInflateIdempotent(await faultyVm(context, 'balloon-move-leaves-vm-paused')),
  );
  proves('balloon-move-leaves-vm-paused', 'inflate-under-pressure/guest-answers', async (context) =>
    checkInflateUnderPressure(await faultyVm(context, 'balloon-move-leaves-vm-paused')),
  );
  proves('balloon-move-leaves-vm-paused', 'inflate-below-minimum-clamps/guest-answers', async (context) =>
    checkInflateBelowMinimumClamps(await faultyVm(context, 'balloon-move-leaves-vm-paused')),
  );

  proves('balloon-control-untracked', 'control-not-connected/operations-refused', async (context) =>
    checkControlNotConnected(await faultyVm(context, 'balloon-control-untracked')),
  );
  // The monitor serves one client: a second dial while the first holds it never gets a greeting.
  proves('balloon-control-untracked', 'control-double-connect/second-connect-succeeds', async (context) =>
    checkControlDoubleConnect(await faultyVm(context, 'balloon-control-untracked')),
  );
  proves('balloon-control-untracked', 'control-double-close/second-close-succeeds', async (context) =>
    checkControlDoubleClose(await faultyVm(context, 'balloon-control-untracked')),
  );

  proves('guest-memory-locked', 'host-rss-reclaim/host-memory-drops', async (context) => {
    if (process.platform === 'linux' && !canLockMemory(BALLOON.memoryMiB * 2 * 1024 * 1024)) context.skip('this host lets no process lock the guest memory (CAP_IPC_LOCK or RLIMIT_MEMLOCK)');
    return checkHostRssReclaim(await faultyVm(context, 'guest-memory-locked', HOST_MEMORY_VM));
  });

  proves('no-free-page-reporting', 'free-page-reporting/host-memory-returns', async (context) =>
    checkFreePageReporting(await faultyVm(context, 'no-free-page-reporting', FREE_PAGE_REPORTING_VM)),
  );

  proves('no-deflate-on-oom', 'deflate-on-oom/allocates-past-balloon', async (context) =>
    checkDeflateOnOom(await faultyVm(context, 'no-deflate-on-oom', DEFLATE_ON_OOM_VM)),
  );

  // Without polling the guest sends its stats once, at probe; without the driver, never.
  proves('no-balloon-stats-polling', 'guest-stats/stats-refreshed', async (context) =>
    checkGuestStats(await faultyVm(context, 'no-balloon-stats-polling', GUEST_STATS_VM)),
  );
  proves('balloon-driver-missing', 'guest-stats/stats-refreshed', async (context) =>
    checkGuestStats(await faultyVm(context, 'balloon-driver-missing', GUEST_STATS_VM)),
  );
  proves('balloon-stats-wrong-unit', 'guest-stats/real-values', async (context) =>
    checkGuestStats(await faultyVm(context, 'balloon-stats-wrong-unit', GUEST_STATS_VM)),
  );

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
