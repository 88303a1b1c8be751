import { expectHealthyKernel } from '../../harness/assert/index.ts';
import { describe, test, waitingTest } from '../../harness/vitest/vm-test.ts';
import type { BalloonSubject } from './balloon-meter.ts';
import {
  balloonVm,
  DEFLATE_ON_OOM_VM,
  FREE_PAGE_REPORTING_VM,
  GUEST_STATS_VM,
  HOST_MEMORY_VM,
  type BalloonVmOptions,
} from './balloon-vm.ts';
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
} from './checks.ts';

/** One catalogue row: the case id, its check, and the VM it runs on. */
function balloonCase(id: string, check: (subject: BalloonSubject) => Promise<void>, vmOptions: BalloonVmOptions = {}, kind: typeof test | typeof waitingTest = test): void {
  kind(id, async ({ vm, runtime, run, task, skip }) => {
    await check(await balloonVm({ vm, runtime, run, task, skip }, vmOptions));
  });
}

describe('balloon', () => {
  test.afterEach(async ({ vm }) => {
    for (const sandbox of vm.created) await expectHealthyKernel(sandbox);
  });

  balloonCase('alloc-at-full-size', checkAllocAtFullSize);
  balloonCase('inflate-reduces-available', checkInflateReducesAvailable);
  balloonCase('deflate-restores-allocation', checkDeflateRestoresAllocation);
  balloonCase('inflate-below-minimum-clamps', checkInflateBelowMinimumClamps);
  balloonCase('deflate-above-max-clamps', checkDeflateAboveMaxClamps);
  balloonCase('rapid-cycles', checkRapidCycles);
  balloonCase('inflate-idempotent', checkInflateIdempotent);
  balloonCase('inflate-under-pressure', checkInflateUnderPressure);
  balloonCase('control-not-connected', checkControlNotConnected);
  balloonCase('control-double-connect', checkControlDoubleConnect);
  balloonCase('control-double-close', checkControlDoubleClose);
  balloonCase('warm-pool-lifecycle', checkWarmPoolLifecycle);
  balloonCase('host-rss-reclaim', checkHostRssReclaim, HOST_MEMORY_VM, waitingTest);
  balloonCase('free-page-reporting', checkFreePageReporting, FREE_PAGE_REPORTING_VM, waitingTest);
  balloonCase('deflate-on-oom', checkDeflateOnOom, DEFLATE_ON_OOM_VM, waitingTest);
  balloonCase('guest-stats', checkGuestStats, GUEST_STATS_VM);
  balloonCase('random-target-soak', checkRandomTargetSoak);
});
