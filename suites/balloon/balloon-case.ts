/** How a balloon file declares its cases: one catalogue row each, in the `balloon` group. */
import { expectHealthyKernel } from '../../harness/assert/index.ts';
import { describe, test, waitingTest } from '../../harness/vitest/vm-test.ts';
import type { BalloonSubject } from './balloon-meter.ts';
import { balloonVm, type BalloonVmOptions } from './balloon-vm.ts';

/** The `balloon` group: whatever a case did to its VMs, each must end with a kernel that logged no oops. */
export function describeBalloon(cases: () => void): void {
  describe('balloon', () => {
    test.afterEach(async ({ vm }) => {
      for (const sandbox of vm.created) await expectHealthyKernel(sandbox);
    });
    cases();
  });
}

/** One catalogue row: the case id, its check, and the VM it runs on. */
export function balloonCase(id: string, check: (subject: BalloonSubject) => Promise<void>, vmOptions: BalloonVmOptions = {}, kind: typeof test | typeof waitingTest = test): void {
  kind(id, async ({ vm, runtime, run, task, skip }) => {
    await check(await balloonVm({ vm, runtime, run, task, skip }, vmOptions));
  });
}
