/**
 * Each disk fault must turn its case red at the claim it names: the check, run on a VM with the fault,
 * fails there (not at a boot failure, a precondition or a guest that stopped answering).
 */
import { caseRecorder } from '../../harness/vitest/case-recorder.ts';
import { proves } from '../../harness/vitest/proof.ts';
import { describe } from '../../harness/vitest/vm-test.ts';
import { DISK } from '../../suites/disk/limits.ts';
import { checkLargeSparseDiskBounded, checkWriteBoundEveryPath, sparseSpec, writeBoundSpec } from '../../suites/disk/field-checks.ts';
import {
  checkBystanderProgressDuringPeerFill,
  checkConcurrentWritersEnospc,
  checkDeletedFilesReclaimedOnHost,
  checkDestroyReleasesHostSpace,
  checkDiscardZeroes,
  checkFillDeleteCycles,
  checkFillDeleteFillNoDouble,
  checkHostEnospcPausesNotCorrupts,
  checkHostUploadEnospc,
  checkImageConsistency,
  checkInodeExhaustionAppendExisting,
  checkInodeExhaustionSurvives,
  checkRestartWithFullRootfs,
  checkRmAfterFillRecovers,
  checkRootfsBoundedIsolatedSurvivesFill,
  checkTwoVmsIsolated,
  diskVm,
} from '../../suites/disk/checks.ts';

describe('disk faults', () => {
  proves('oversized-rootfs', 'rootfs-bounded-isolated-survives-fill/own-bounded-disk', async ({ vm, task }) =>
    checkRootfsBoundedIsolatedSurvivesFill(await vm(diskVm({}, ['oversized-rootfs'])), caseRecorder(task)),
  );

  // The agent's spool on the root disk: the fill was spooled before the disk was full and is answered;
  // every request after it runs nothing, so the claim after the fill is what fails.
  proves('agent-spool-on-rootfs', 'rootfs-bounded-isolated-survives-fill/alive', async ({ vm, task }) =>
    checkRootfsBoundedIsolatedSurvivesFill(await vm(diskVm({}, ['agent-spool-on-rootfs'])), caseRecorder(task)),
  );

  proves('tmp-on-rootfs', 'rootfs-bounded-isolated-survives-fill/tmpfs-writable', async ({ vm, task }) =>
    checkRootfsBoundedIsolatedSurvivesFill(await vm(diskVm({}, ['tmp-on-rootfs'])), caseRecorder(task)),
  );

  // "None hangs": writers the VMM throttles to a few KiB/s are still writing at their deadline.
  proves('io-throttle-starves', 'concurrent-writers-enospc/every-writer-enospc', async ({ vm, task }) =>
    checkConcurrentWritersEnospc(await vm(diskVm({}, ['io-throttle-starves'])), caseRecorder(task)),
  );

  proves('agent-spool-on-rootfs', 'concurrent-writers-enospc/alive', async ({ vm, task }) =>
    checkConcurrentWritersEnospc(await vm(diskVm({}, ['agent-spool-on-rootfs'])), caseRecorder(task)),
  );

  // The bystander's own drives throttled: its write probe cannot end within the writers' deadline.
  proves('io-throttle-starves', 'two-vms-isolated/bystander-writable', async ({ vm, task }) => {
    const [victim, bystander] = await Promise.all([vm({ ...diskVm(), name: 'victim' }), vm({ ...diskVm({}, ['io-throttle-starves']), name: 'bystander' })]);
    await checkTwoVmsIsolated(victim, bystander, caseRecorder(task));
  });

  proves('io-throttle-starves', 'bystander-progress-during-peer-fill/longest-pause-bounded', async ({ vm, task }) => {
    const [peer, bystander] = await Promise.all([vm({ ...diskVm(), name: 'peer' }), vm({ ...diskVm({}, ['io-throttle-starves']), name: 'bystander' })]);
    await checkBystanderProgressDuringPeerFill(peer, bystander, caseRecorder(task));
  });

  // A root filesystem with mkfs's default inode table (16 times the spec's at this size): what the inode
  // cases exercise is no longer the table they asked for.
  proves('rootfs-inodes-ignored', 'inode-exhaustion-survives/spec-inode-table', async ({ vm, task }) =>
    checkInodeExhaustionSurvives(await vm(diskVm({ rootfsInodes: DISK.rootfsInodes }, ['rootfs-inodes-ignored'])), caseRecorder(task)),
  );

  // No inode left for the spool file: the request after the last file runs no script at all.
  proves('agent-spool-on-rootfs', 'inode-exhaustion-survives/alive', async ({ vm, task }) =>
    checkInodeExhaustionSurvives(await vm(diskVm({ rootfsInodes: DISK.rootfsInodes }, ['agent-spool-on-rootfs'])), caseRecorder(task)),
  );

  proves('rootfs-inodes-ignored', 'inode-exhaustion-append-existing/spec-inode-table', async ({ vm, task }) =>
    checkInodeExhaustionAppendExisting(await vm(diskVm({ rootfsInodes: DISK.rootfsInodes }, ['rootfs-inodes-ignored'])), caseRecorder(task)),
  );

  proves('fresh-overlay-on-start', 'restart-with-full-rootfs/fill-persists', async ({ vm, task }) =>
    checkRestartWithFullRootfs(await vm(diskVm({}, ['fresh-overlay-on-start'])), caseRecorder(task)),
  );

  // The rm after the fill runs an empty script: it "succeeds" and frees nothing.
  proves('agent-spool-on-rootfs', 'rm-after-fill-recovers/space-recovers', async ({ vm, task }) =>
    checkRmAfterFillRecovers(await vm(diskVm({}, ['agent-spool-on-rootfs'])), caseRecorder(task)),
  );

  proves('agent-spool-on-rootfs', 'fill-delete-cycles/agent-healthy', async ({ vm, task }) =>
    checkFillDeleteCycles(await vm(diskVm({}, ['agent-spool-on-rootfs'])), caseRecorder(task)),
  );

  proves('overlay-leak-on-destroy', 'destroy-releases-host-space/released', async ({ vm, run, task }) => {
    const boot = (overlayDir: string) => vm(diskVm({ overlayDir }, ['overlay-leak-on-destroy']));
    await checkDestroyReleasesHostSpace(boot, run.runDir, caseRecorder(task));
  });

  proves('no-discard', 'fill-delete-fill-no-double/no-double', async ({ vm, task }) =>
    checkFillDeleteFillNoDouble(await vm(diskVm({}, ['no-discard'])), caseRecorder(task)),
  );

  proves('no-discard', 'deleted-files-reclaimed-on-host/reclaimed', async ({ vm, task }) =>
    checkDeletedFilesReclaimedOnHost(await vm(diskVm({}, ['no-discard'])), caseRecorder(task)),
  );

  proves('discard-not-passed-to-host', 'deleted-files-reclaimed-on-host/reclaimed', async ({ vm, task }) =>
    checkDeletedFilesReclaimedOnHost(await vm(diskVm({}, ['discard-not-passed-to-host'])), caseRecorder(task)),
  );

  proves('upload-ignores-exit-code', 'host-upload-enospc/upload-fails-no-space', async ({ vm, task }) =>
    checkHostUploadEnospc(await vm(diskVm({}, ['upload-ignores-exit-code'])), caseRecorder(task)),
  );

  proves('no-discard', 'discard-zeroes/discarded-read-zero', async ({ vm, task }) =>
    checkDiscardZeroes(await vm(diskVm({ scratchMiB: DISK.scratchMiB }, ['no-discard'])), caseRecorder(task)),
  );

  // The discarded ranges read as zeros (the image freed their clusters) but the host file keeps them.
  proves('discard-not-passed-to-host', 'discard-zeroes/host-allocation-shrinks', async ({ vm, task }) =>
    checkDiscardZeroes(await vm(diskVm({ scratchMiB: DISK.scratchMiB }, ['discard-not-passed-to-host'])), caseRecorder(task)),
  );

  proves('lazy-refcounts', 'image-consistency/images-consistent', async ({ vm, task }) =>
    checkImageConsistency(await vm(diskVm({}, ['lazy-refcounts'])), caseRecorder(task)),
  );

  proves('host-write-errors-reported', 'host-enospc-pauses-not-corrupts/pauses-on-no-space', async ({ vm, run, task }) => {
    const boot = (disk: Parameters<typeof diskVm>[0]) => vm(diskVm({ ...disk, writeErrorPolicy: 'stop' }, ['host-write-errors-reported']));
    await checkHostEnospcPausesNotCorrupts(boot, run.runDir, caseRecorder(task));
  });

  proves('tmpfs-uncapped', 'write-bound-every-path/memory-backed-bounded', async ({ vm, task }) =>
    checkWriteBoundEveryPath(await vm({ ...writeBoundSpec, faults: ['tmpfs-uncapped'] }), caseRecorder(task)),
  );

  // The first place filled is `/`: every request after it runs nothing.
  proves('agent-spool-on-rootfs', 'write-bound-every-path/alive', async ({ vm, task }) =>
    checkWriteBoundEveryPath(await vm({ ...writeBoundSpec, faults: ['agent-spool-on-rootfs'] }), caseRecorder(task)),
  );

  proves('scratch-preallocated', 'large-sparse-disk-bounded/sparse-after-boot', async ({ vm, task }) =>
    checkLargeSparseDiskBounded(await vm({ ...sparseSpec, faults: ['scratch-preallocated'] }), caseRecorder(task)),
  );

  proves('discard-not-passed-to-host', 'large-sparse-disk-bounded/shrinks-after-discard', async ({ vm, task }) =>
    checkLargeSparseDiskBounded(await vm({ ...sparseSpec, faults: ['discard-not-passed-to-host'] }), caseRecorder(task)),
  );
});
