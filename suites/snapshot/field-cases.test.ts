import { recordNote } from '../../harness/vitest/case-recorder.ts';
import { describe, requireCapabilities, test } from '../../harness/vitest/vm-test.ts';
import { checkBalloonSnapshotDeflate, checkClockAfterRestore, checkClonesDistinctEntropy, checkExecStormAfterRestore } from './field-checks.ts';

// The snapshot cases from the field (bugs restores shipped with); under --cold they skip, as every snapshot case.
describe('snapshot', () => {
  test('clones-distinct-entropy', async ({ vm, runtime, skip, task }) => {
    requireCapabilities(skip, runtime, 'snapshot');
    const reseed = await checkClonesDistinctEntropy(vm);
    recordNote(task, `restored VMs reseeded ${reseed ?? '(the runtime does not say how)'}`);
  });

  test('clock-after-restore', async ({ vm, runtime, skip }) => {
    requireCapabilities(skip, runtime, 'snapshot', 'guest-freeze');
    await checkClockAfterRestore(vm);
  });

  test('exec-storm-after-restore', async ({ vm, runtime, skip }) => {
    requireCapabilities(skip, runtime, 'snapshot');
    await checkExecStormAfterRestore(vm, runtime.accelerator);
  });

  test('balloon-snapshot-deflate', async ({ vm, runtime, skip }) => {
    requireCapabilities(skip, runtime, 'snapshot', 'balloon', 'balloon-stats');
    await checkBalloonSnapshotDeflate(vm, runtime.accelerator);
  });
});
