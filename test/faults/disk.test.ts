/**
 * Each disk fault must turn its cases red: the check throws on a VM with the fault, for the reason the
 * case is about (not a boot failure or a skip).
 */
import { describe, expect, test } from '../../harness/fixtures/vm-test.ts';
import {
  checkDeletedFilesReclaimedOnHost,
  checkDestroyReleasesHostSpace,
  checkFillDeleteFillNoDouble,
  checkRootfsBoundedIsolatedSurvivesFill,
  diskVm,
} from '../../suites/disk/checks.ts';
import { recorderFor } from '../../suites/disk/measurements.ts';

describe('disk faults', () => {
  test('no-discard fails fill-delete-fill-no-double', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({}, ['no-discard']));
    await expect(checkFillDeleteFillNoDouble(sandbox, recorderFor(task))).rejects.toThrow(/host footprint after the second fill .* below .* after the first/);
  });

  test('no-discard fails deleted-files-reclaimed-on-host', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({}, ['no-discard']));
    await expect(checkDeletedFilesReclaimedOnHost(sandbox, recorderFor(task))).rejects.toThrow(/after the guest deleted its fill .*: expected ≥ \d+% of its growth released/);
  });

  test('oversized-rootfs fails rootfs-bounded-isolated-survives-fill', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({}, ['oversized-rootfs']));
    await expect(checkRootfsBoundedIsolatedSurvivesFill(sandbox, recorderFor(task))).rejects.toThrow(/size of \/, the VM's own bounded disk: expected/);
  });

  test('overlay-leak-on-destroy fails destroy-releases-host-space', async ({ vm, task }) => {
    const boot = (overlayDir: string) => vm(diskVm({ overlayDir }, ['overlay-leak-on-destroy']));
    await expect(checkDestroyReleasesHostSpace(boot, recorderFor(task))).rejects.toThrow(/destroyed VM's disk directory on the host .*: expected ≥ \d+% of its growth released/);
  });
});
