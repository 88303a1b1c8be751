import { caseRecorder } from '../../harness/vitest/case-recorder.ts';
import { requireCapabilities, test } from '../../harness/vitest/vm-test.ts';
import { DISK } from './limits.ts';
import {
  checkDeletedFilesReclaimedOnHost,
  checkDestroyReleasesHostSpace,
  checkDiscardZeroes,
  checkFillDeleteFillNoDouble,
  checkHostEnospcPausesNotCorrupts,
  checkHostUploadEnospc,
  checkImageConsistency,
  diskVm,
} from './checks.ts';
import { describeDisk } from './disk-suite.ts';

// What the host's disk sees: space given back, a full host disk, the image left consistent.
describeDisk(() => {
  test('destroy-releases-host-space', async ({ vm, run, task }) => {
    await checkDestroyReleasesHostSpace((overlayDir) => vm(diskVm({ overlayDir })), run.runDir, caseRecorder(task));
  });

  test('fill-delete-fill-no-double', async ({ vm, runtime, skip, task }) => {
    requireCapabilities(skip, runtime, 'disk-discard', 'host-footprint');
    await checkFillDeleteFillNoDouble(await vm(diskVm()), caseRecorder(task));
  });

  test('deleted-files-reclaimed-on-host', async ({ vm, runtime, skip, task }) => {
    requireCapabilities(skip, runtime, 'disk-discard', 'host-footprint');
    await checkDeletedFilesReclaimedOnHost(await vm(diskVm()), caseRecorder(task));
  });

  test('host-upload-enospc', async ({ vm, runtime, skip, task }) => {
    requireCapabilities(skip, runtime, 'file-transfer');
    await checkHostUploadEnospc(await vm(diskVm()), caseRecorder(task));
  });

  test('discard-zeroes', async ({ vm, runtime, skip, task }) => {
    requireCapabilities(skip, runtime, 'scratch-disk', 'disk-discard', 'host-footprint');
    await checkDiscardZeroes(await vm(diskVm({ scratchMiB: DISK.scratchMiB })), caseRecorder(task));
  });

  test('image-consistency', async ({ vm, runtime, skip, task }) => {
    requireCapabilities(skip, runtime, 'stop-start');
    await checkImageConsistency(await vm(diskVm()), caseRecorder(task));
  });

  test('host-enospc-pauses-not-corrupts', async ({ vm, runtime, run, skip, task }) => {
    requireCapabilities(skip, runtime, 'io-error-pause');
    await checkHostEnospcPausesNotCorrupts((disk) => vm(diskVm({ ...disk, writeErrorPolicy: 'stop' })), run.runDir, caseRecorder(task));
  });
});
