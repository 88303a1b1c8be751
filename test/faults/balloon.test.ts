/**
 * Each balloon fault must turn its cases red: the very check the suite runs, run on a VM with the
 * fault, must throw (and throw for the reason the fault causes, not some other one).
 */
import type { TestContext } from 'vitest';
import { describe, expect, test } from '../../harness/fixtures/vm-test.ts';
import { BalloonTimeoutError } from '../../harness/runtime/balloon-errors.ts';
import { balloonVm, DEFLATE_ON_OOM_VM, FREE_PAGE_REPORTING_VM } from '../../suites/balloon/balloon-vm.ts';
import { checkDeflateOnOom, checkFreePageReporting, checkInflateReducesAvailable, checkWarmPoolLifecycle } from '../../suites/balloon/checks.ts';

describe('balloon faults', () => {
  test('balloon-driver-missing fails inflate-reduces-available', async ({ vm, runtime, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, task, skip }, { faults: ['balloon-driver-missing'] });
    await expect(checkInflateReducesAvailable(subject)).rejects.toThrow(BalloonTimeoutError);
  });

  test('balloon-driver-missing fails warm-pool-lifecycle', async ({ vm, runtime, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, task, skip }, { faults: ['balloon-driver-missing'] });
    await expect(checkWarmPoolLifecycle(subject)).rejects.toThrow(BalloonTimeoutError);
  });

  test('no-free-page-reporting fails free-page-reporting', async ({ vm, runtime, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, task, skip }, { ...FREE_PAGE_REPORTING_VM, faults: ['no-free-page-reporting'] });
    await expect(checkFreePageReporting(subject)).rejects.toThrow(/VMM host memory back within .* not reached/);
  });

  test('no-deflate-on-oom fails deflate-on-oom', async ({ vm, runtime, task, skip }) => {
    const subject = await balloonVm({ vm, runtime, task, skip }, { ...DEFLATE_ON_OOM_VM, faults: ['no-deflate-on-oom'] });
    await expect(checkDeflateOnOom(subject)).rejects.toThrow(/failed \(OOM:\d+\)/);
  });

  // The one way a balloon case may skip: the VM has no balloon, and the runtime says so.
  test('a VM without a balloon device makes a balloon case skip, naming the capability', async ({ vm, runtime, task }) => {
    const notes: string[] = [];
    const skip = ((note: string) => {
      notes.push(note);
      throw new Error('skipped');
    }) as TestContext['skip'];
    await expect(balloonVm({ vm, runtime, task, skip }, { balloon: false })).rejects.toThrow('skipped');
    expect(notes).toEqual([expect.stringMatching(/lacks capability: balloon$/)]);
  });
});
