/**
 * Each disk fault must turn its cases red: the check throws on a VM with the fault, for the reason the
 * case is about (not a boot failure or a skip).
 */
import { caseRecorder } from '../../harness/vitest/case-recorder.ts';
import { describe, expect, test } from '../../harness/vitest/vm-test.ts';
import { DISK } from '../../suites/disk/limits.ts';
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
  test('no-discard fails fill-delete-fill-no-double', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({}, ['no-discard']));
    await expect(checkFillDeleteFillNoDouble(sandbox, caseRecorder(task))).rejects.toThrow(/host footprint after the second fill .* below .* after the first/);
  });

  test('no-discard fails deleted-files-reclaimed-on-host', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({}, ['no-discard']));
    await expect(checkDeletedFilesReclaimedOnHost(sandbox, caseRecorder(task))).rejects.toThrow(/after the guest deleted its fill .*: expected ≥ \d+% of its growth released/);
  });

  test('no-discard fails discard-zeroes', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({ scratchMiB: DISK.scratchMiB }, ['no-discard']));
    await expect(checkDiscardZeroes(sandbox, caseRecorder(task))).rejects.toThrow(/non-zero bytes in the discarded \d+ MiB at \d+ MiB: expected [1-9]\d* to be \+0/);
  });

  test('oversized-rootfs fails rootfs-bounded-isolated-survives-fill', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({}, ['oversized-rootfs']));
    await expect(checkRootfsBoundedIsolatedSurvivesFill(sandbox, caseRecorder(task))).rejects.toThrow(/size of \/, the VM's own bounded disk: expected/);
  });

  test('overlay-leak-on-destroy fails destroy-releases-host-space', async ({ vm, run, task }) => {
    const boot = (overlayDir: string) => vm(diskVm({ overlayDir }, ['overlay-leak-on-destroy']));
    await expect(checkDestroyReleasesHostSpace(boot, run.runDir, caseRecorder(task))).rejects.toThrow(/destroyed VM's disk directory on the host .*: expected ≥ \d+% of its growth released/);
  });

  // agent-state-on-rootfs: an agent whose per-request files share the full disk goes silent. It proves
  // the "exec works" / "VM alive" / "agent healthy" claims of the rows that fill `/`; it breaks them at
  // the fill itself, as a real agent would (the fill's own reply is the first request a full disk stops).
  test('agent-state-on-rootfs fails concurrent-writers-enospc', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({}, ['agent-state-on-rootfs']));
    await expect(checkConcurrentWritersEnospc(sandbox, caseRecorder(task))).rejects.toThrow(/6 of 6 calls failed; first: no reply to request \S+ within \d+ ms \(command: dd if=\/dev\/zero of=\/writer-/);
  });

  // "None hangs": writers the VMM throttles to a few KiB/s are still writing at their deadline.
  test('io-throttle-starves fails concurrent-writers-enospc', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({}, ['io-throttle-starves']));
    await expect(checkConcurrentWritersEnospc(sandbox, caseRecorder(task))).rejects.toThrow(/every writer ends with ENOSPC \(.*not timed out\); not so: \/writer-\d+: exit \S+, timed out/);
  });

  test('agent-state-on-rootfs fails inode-exhaustion-survives', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({ rootfsInodes: DISK.rootfsInodes }, ['agent-state-on-rootfs']));
    await expect(checkInodeExhaustionSurvives(sandbox, caseRecorder(task))).rejects.toThrow(/no reply to request \S+ within \d+ ms \(command: mkdir -p \/inodes /);
  });

  // A root filesystem with mkfs's default inode table (16 times the spec's at this size): what the inode
  // cases exercise is no longer the table they asked for. No realistic fault breaks the append itself:
  // appending needs only free blocks, and keeping them usable once the inodes are gone is ext4's own doing,
  // not the runtime's (an agent that needs inodes per request, agent-state-on-rootfs, fails before the append).
  const inodeTableIgnored = new RegExp(`inodes of /, the small inode table the case's spec asks for: expected \\d+ to be ${DISK.rootfsInodes}`);

  test('rootfs-inodes-ignored fails inode-exhaustion-survives', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({ rootfsInodes: DISK.rootfsInodes }, ['rootfs-inodes-ignored']));
    await expect(checkInodeExhaustionSurvives(sandbox, caseRecorder(task))).rejects.toThrow(inodeTableIgnored);
  });

  test('rootfs-inodes-ignored fails inode-exhaustion-append-existing', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({ rootfsInodes: DISK.rootfsInodes }, ['rootfs-inodes-ignored']));
    await expect(checkInodeExhaustionAppendExisting(sandbox, caseRecorder(task))).rejects.toThrow(inodeTableIgnored);
  });

  test('agent-state-on-rootfs fails restart-with-full-rootfs', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({}, ['agent-state-on-rootfs']));
    await expect(checkRestartWithFullRootfs(sandbox, caseRecorder(task))).rejects.toThrow(/no reply to request \S+ within \d+ ms \(command: dd if=\/dev\/zero of=\/fill /);
  });

  test('fresh-overlay-on-start fails restart-with-full-rootfs', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({}, ['fresh-overlay-on-start']));
    await expect(checkRestartWithFullRootfs(sandbox, caseRecorder(task))).rejects.toThrow(/\/fill persists across the restart \(its size, undefined: gone\): expected undefined to be \d+/);
  });

  // rm-after-fill-recovers and fill-delete-cycles: space that rm frees comes back to the guest by ext4's
  // own doing; a runtime could only keep it away through a guest process it started that holds the
  // deleted file open, and none of a runtime's processes (agent, console, init) opens a case's files.
  // What the runtime can break is the agent serving on a full disk ("rm works", "agent healthy").
  test('agent-state-on-rootfs fails rm-after-fill-recovers', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({}, ['agent-state-on-rootfs']));
    await expect(checkRmAfterFillRecovers(sandbox, caseRecorder(task))).rejects.toThrow(/no reply to request \S+ within \d+ ms \(command: dd if=\/dev\/zero of=\/fill /);
  });

  test('agent-state-on-rootfs fails fill-delete-cycles', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({}, ['agent-state-on-rootfs']));
    await expect(checkFillDeleteCycles(sandbox, caseRecorder(task))).rejects.toThrow(/no reply to request \S+ within \d+ ms \(command: dd if=\/dev\/zero of=\/fill /);
  });

  test('io-throttle-starves fails bystander-progress-during-peer-fill', async ({ vm, task }) => {
    const [peer, bystander] = await Promise.all([vm({ ...diskVm(), name: 'peer' }), vm({ ...diskVm({}, ['io-throttle-starves']), name: 'bystander' })]);
    await expect(checkBystanderProgressDuringPeerFill(peer, bystander, caseRecorder(task))).rejects.toThrow(/the bystander's longest pause between appends while the peer filled .*: expected \d+ to be less than or equal to \d+/);
  });

  test('io-throttle-starves fails two-vms-isolated', async ({ vm, task }) => {
    const [victim, bystander] = await Promise.all([vm({ ...diskVm(), name: 'victim' }), vm({ ...diskVm({}, ['io-throttle-starves']), name: 'bystander' })]);
    await expect(checkTwoVmsIsolated(victim, bystander, caseRecorder(task))).rejects.toThrow(/no reply to request \S+ within \d+ ms \(command: dd if=\/dev\/zero of=\/write-probe /);
  });

  test('upload-ignores-exit-code fails host-upload-enospc', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({}, ['upload-ignores-exit-code']));
    await expect(checkHostUploadEnospc(sandbox, caseRecorder(task))).rejects.toThrow(/an upload of \d+ bytes with \d+ free on \/ fails: expected undefined to be an instance of Error/);
  });

  test('lazy-refcounts fails image-consistency', async ({ vm, task }) => {
    const sandbox = await vm(diskVm({}, ['lazy-refcounts']));
    await expect(checkImageConsistency(sandbox, caseRecorder(task))).rejects.toThrow(/disk images with errors \(.*-root\.qcow2: \d+ error\(s\), first: ERROR .*refcount=0/);
  });

  test('host-write-errors-reported fails host-enospc-pauses-not-corrupts', async ({ vm, run, task }) => {
    const boot = (disk: Parameters<typeof diskVm>[0]) => vm(diskVm({ ...disk, writeErrorPolicy: 'stop' }, ['host-write-errors-reported']));
    await expect(checkHostEnospcPausesNotCorrupts(boot, run.runDir, caseRecorder(task))).rejects.toThrow(/the I\/O error event: a write that found no space, and the VM stopped for it .*: expected .* to match object/);
  });
});
